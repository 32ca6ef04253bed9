# environment shared by the Hadoop start scripts
export HADOOP_CONF_DIR=${HADOOP_CONF_DIR:-/hadoop-configuration}
export HADOOP_LOG_DIR=/var/log/hadoop
