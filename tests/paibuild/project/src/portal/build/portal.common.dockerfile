FROM base-image:latest
COPY app/ /srv/app/
COPY dependency/docs/ /srv/docs/
COPY version/ /srv/version/
COPY dependency/base-image/rootfs/etc/os-release /srv/base-os-release
