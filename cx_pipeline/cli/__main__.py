import sys

from cx_pipeline.cli.main import main

sys.exit(main())
