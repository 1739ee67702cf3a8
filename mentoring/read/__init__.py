"""Read models: what each page shows, assembled in a fixed number of queries.

Views call one function here and render what it returns; they do not query. A read
model checks nothing itself: the view has already loaded the record through
`mentoring.services.common.scope.load_visible`, or asks for a user's own rows.
"""
