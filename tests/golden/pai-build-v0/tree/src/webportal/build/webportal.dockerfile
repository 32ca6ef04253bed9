FROM hadoop-run
COPY dependency/ /srv/
