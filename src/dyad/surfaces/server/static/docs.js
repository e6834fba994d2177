/* dyad: the API docs page (/docs) starts Swagger UI, from the files of an installed package, on the
   server's own schema. A file, not an inline script: the Content-Security-Policy allows no inline script. */
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.schema,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,  // Swagger UI's validator is a web service: nothing leaves the server
    tryItOutEnabled: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
