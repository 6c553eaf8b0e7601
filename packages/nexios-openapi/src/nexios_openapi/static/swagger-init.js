// Starts Swagger UI on the page nexios-openapi serves at /docs. The page's settings come from its
// JSON data block (not executed, so the Content-Security-Policy needs no inline script).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("nexios-docs-config").textContent);
  var options = Object.assign(
    {
      url: config.openapiUrl,
      dom_id: "#swagger-ui",
      deepLinking: true,
      layout: "BaseLayout",
      // The default sends the document to validator.swagger.io: nothing leaves the page.
      validatorUrl: null,
      oauth2RedirectUrl: new URL(config.oauth2RedirectUrl, window.location.href).href,
      presets: [SwaggerUIBundle.presets.apis],
      plugins: [SwaggerUIBundle.plugins.DownloadUrl]
    },
    config.parameters || {}
  );
  window.ui = SwaggerUIBundle(options);
  if (config.initOAuth) {
    window.ui.initOAuth(config.initOAuth);
  }
})();
