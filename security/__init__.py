"""Security tooling kept with the code: the offline dependency audit
(``make audit``) and the attacker's probe of a running stack (``make probe``).
Nothing here is imported by the application."""
