FROM postgresql
