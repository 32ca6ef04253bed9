#!/bin/sh
exec /usr/local/$HADOOP_VERSION/bin/hadoop "$@"
