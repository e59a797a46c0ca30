from ttcplanner.cli import main

raise SystemExit(main())
