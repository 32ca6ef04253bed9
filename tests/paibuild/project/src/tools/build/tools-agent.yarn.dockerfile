FROM base-image
COPY agent.conf /etc/agent-yarn.conf
