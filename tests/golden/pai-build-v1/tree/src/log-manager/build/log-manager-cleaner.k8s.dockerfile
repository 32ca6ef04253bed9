FROM base-image
