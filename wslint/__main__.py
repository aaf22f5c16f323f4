from wslint.cli import main

raise SystemExit(main())
