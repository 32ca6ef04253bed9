FROM base-image
COPY dependency/hadoop-ai /opt/hadoop-ai
