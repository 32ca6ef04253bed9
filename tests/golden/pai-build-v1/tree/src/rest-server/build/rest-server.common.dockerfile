FROM base-image
COPY version/ /version/
