#!/bin/sh
# start-service.sh SERVICE: start one Hadoop daemon in the foreground
set -e
. /usr/local/hadoop-scripts/hadoop-env.sh
exec "$HADOOP_HOME/bin/hdfs" "$@"
