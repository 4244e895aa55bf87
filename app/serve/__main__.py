"""`python -m app.serve`. The code lives in app/serve/__init__.py: multiprocessing imports the main module
again in every child it starts unless the module's name ends in `.__main__`, and importing app.serve there
(uvicorn, FastAPI, the routes) cost each sandboxed run ~0.3 s."""

from app.serve import main

main()
