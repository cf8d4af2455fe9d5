"""The designers' room: drafts, scenario runs against the Gherkin suite, the sandbox they run
in, the history of a process's versions and the migration of cases between versions. The
clerks' commands never import from here."""
