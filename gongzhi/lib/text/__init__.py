"""Text code that knows no models, for any app that classifies, groups or compares Chinese messages.

    classifier     the category classifier (TF-IDF under linear models), trained and used offline
    fast_tfidf     a TF-IDF row for one text without sklearn's per-call checks (the classifier's hot path)
    pseudo_labels  weakly labelled training messages from the official replies
    grouping       hot-issue grouping: messages about the same problem at the same place, and their heat
    similarity     how alike two short texts are, and addresses compared without spacing and punctuation
"""
