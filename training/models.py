# Org units, cadres, modules, assignments and completions arrive with the
# training issue; the app exists now so the layout is fixed from the start.
