// n8n loads nodes and credentials from the paths in package.json's "n8n" field; nothing to export here.
module.exports = {};
