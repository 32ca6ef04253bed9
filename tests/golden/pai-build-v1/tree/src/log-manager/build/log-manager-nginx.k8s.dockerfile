FROM base-image
COPY conf/ /etc/
