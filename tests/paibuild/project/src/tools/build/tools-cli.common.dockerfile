FROM base-image
COPY bin/ /usr/bin/
