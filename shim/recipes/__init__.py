"""Recipes: API 2 answers that take several upstream calls, or none, written as small Python functions.

One module per API 2 module (`subdomain.py` for SubDomain); the table names a function as
`recipe: subdomain.listsubdomains` (async, makes UAPI / WHM API 1 calls through the
`RecipeCall` it receives) or `local: rand.getranddata` (a plain function, no upstream call).
The contract — what a function receives, returns and raises — is `translation.recipe`;
how to write, register and test one is docs/recipes.md.

May import: `translation` (the recipe contract, envelopes' texts). Never aiohttp or another
room: a recipe is pure logic over the calls it is handed, testable without a socket.
"""
