"""Expression and network request forms, compiled into ordinary program text."""
