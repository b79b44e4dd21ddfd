"""The app's frame: start-up, the main window, the context every screen gets, running work
off the GUI thread, telling failures, languages, window placement.
"""
