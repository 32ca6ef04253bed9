# two images of one service
FROM base-image:latest
COPY build/ /drivers/
