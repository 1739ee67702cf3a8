"""Flask extensions, created unbound and initialised in the factory."""

from flask_login import LoginManager
from flask_wtf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

login_manager = LoginManager()
csrf = CSRFProtect()
wtforms_helpers = WTFormsHelpers()
