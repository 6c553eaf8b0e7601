// Starts Scalar on the page nexios-openapi serves (settings from the JSON data block). Scalar's
// defaults reach its own servers (fonts, a request proxy, telemetry, AI features): all turned off
// here, so the page works offline and sends nothing anywhere but to the API itself.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("nexios-docs-config").textContent);
  var options = Object.assign(
    {
      url: new URL(config.openapiUrl, window.location.href).href,
      withDefaultFonts: false,
      telemetry: false,
      proxyUrl: "",
      showDeveloperTools: "never",
      agent: { disabled: true },
      mcp: { disabled: true }
    },
    config.parameters || {}
  );
  Scalar.createApiReference("#scalar-app", options);
})();
