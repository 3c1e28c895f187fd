"""``python -m posebridge`` runs the command line."""

from posebridge.cli import main

if __name__ == "__main__":
    main()
