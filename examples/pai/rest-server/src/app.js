// the example rest server: a copy-list source outside pai-management
console.log("rest server on port " + process.env.SERVER_PORT);
