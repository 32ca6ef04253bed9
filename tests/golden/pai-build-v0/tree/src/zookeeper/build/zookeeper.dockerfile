FROM base-image:v2
COPY --from=hadoop-run /opt /opt
