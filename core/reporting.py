from django.views.debug import SafeExceptionReporterFilter


class NoPersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports show no POST data and no local variables at all.

    Anything a user typed may be survivor data; an error report goes to
    e-mail or logs, which are not encrypted.
    """

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [("(hidden)", self.cleansed_substitute)]
