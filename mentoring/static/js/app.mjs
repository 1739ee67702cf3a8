// Start GOV.UK Frontend's components (error summary focus, header menu, etc.).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
