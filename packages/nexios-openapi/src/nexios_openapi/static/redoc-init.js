// Starts ReDoc on the page nexios-openapi serves at /redoc (settings from the JSON data block).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("nexios-docs-config").textContent);
  var options = Object.assign({}, config.parameters || {});
  Redoc.init(config.openapiUrl, options, document.getElementById("redoc-container"));
})();
