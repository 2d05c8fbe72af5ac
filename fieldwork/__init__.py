"""Field work without a network (issue 17): a practitioner prepares her
phone with the Today page and the rosters of her sessions of the next days,
logs sessions offline, and the entries are sent later, each exactly once,
through the same attendance service as an online save."""
