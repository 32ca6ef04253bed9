FROM base-image AS build
FROM scratch
COPY --from=build /etc/base-release /
