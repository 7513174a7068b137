"""The verify stage: independent checks of a built site before it is published.

Takes the built site folder and what was generated; gives a list of problems (empty: publish):
scripts and event handlers, javascript:/data: URLs and internal links in every page (html.py),
sitemap, search index and forbidden files (index.py), personal data in the staff site
(leaks.py); site.py runs them all, in parts over the worker processes.
"""
