FROM base-image
COPY agent.conf /etc/agent.conf
