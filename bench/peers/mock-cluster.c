/*
 * Hosts librdkafka's in-memory mock cluster on loopback for the benchmark (bench/run.ts).
 * kcat can host the same mock (`-X test.mock.num.brokers=1`), but it auto-creates every topic
 * with 4 partitions and keeps only ~5 MiB per partition, so 1 GB of records could not be read
 * back. Here topics are created through rd_kafka_mock_topic_create() with any partition count.
 *
 *   gcc -O2 -o mock-cluster mock-cluster.c -lrdkafka
 *   ./mock-cluster BROKERS        prints "bootstrap <host:port,...>", then reads commands:
 *     create TOPIC PARTITIONS     answers "ok TOPIC" or "error <reason>"
 *   EOF on stdin (or SIGTERM) stops it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

int main(int argc, char **argv) {
        char errstr[512];
        char line[1024];
        const char *brokers = argc > 1 ? argv[1] : "1";
        rd_kafka_conf_t *conf = rd_kafka_conf_new();

        if (rd_kafka_conf_set(conf, "test.mock.num.brokers", brokers, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "conf: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *mcluster = rd_kafka_handle_mock_cluster(rk);
        if (!mcluster) {
                fprintf(stderr, "no mock cluster\n");
                return 1;
        }
        printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        while (fgets(line, sizeof(line), stdin)) {
                char topic[512];
                int partitions = 0;
                if (sscanf(line, "create %511s %d", topic, &partitions) == 2 && partitions > 0) {
                        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, topic, partitions, 1);
                        if (err)
                                printf("error %s\n", rd_kafka_err2str(err));
                        else
                                printf("ok %s\n", topic);
                } else {
                        printf("error bad command\n");
                }
                fflush(stdout);
        }
        rd_kafka_destroy(rk);
        return 0;
}
