"""Who would lose a unit if it stopped being readable: the apps that use units
(training) tell, since this app imports none of them. Each registers a function
``unit -> (modules, cadres)``; the unit admin asks before a published unit is taken
away from readers."""

_reach = []


def register_reach(function):
    if function not in _reach:
        _reach.append(function)


def reach(unit):
    """(modules, cadres): how many active modules hold the unit, and how many active
    cadres those modules reach."""
    modules = cadres = 0
    for function in _reach:
        more_modules, more_cadres = function(unit)
        modules += more_modules
        cadres += more_cadres
    return modules, cadres
