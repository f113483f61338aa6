"""Every public estimator documents exactly its parameters: signature == get_params() == docstring.

In the spirit of scikit-learn's ``test_docstring_parameters.py``: a parameter
added to a signature but not to the docs (or documented but gone) fails here,
whatever mechanism builds the signature.
"""

import inspect

import pytest

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor
from sktcn.baselines import LSTMClassifier, LSTMRegressor

# numpydoc comes with the docs extra, which `make test` installs and `make test-lowest` does not.
docscrape = pytest.importorskip("numpydoc.docscrape", reason="needs numpydoc (the docs extra)")
ClassDoc, FunctionDoc = docscrape.ClassDoc, docscrape.FunctionDoc

ESTIMATORS = [TCNClassifier, TCNRegressor, TCNForecaster, LSTMClassifier, LSTMRegressor]


def documented_parameters(cls):
    names = []
    for param in ClassDoc(cls)["Parameters"]:
        # numpydoc keeps "a, b, c" (parameters documented together) as one entry.
        names += [name.strip() for name in param.name.split(",") if name.strip()]
    return [name for name in names if name != "**kwargs"]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_signature_params_and_docs_agree(cls):
    signature = [name for name, p in inspect.signature(cls.__init__).parameters.items()
                 if name != "self" and p.kind is not p.VAR_KEYWORD]
    documented = documented_parameters(cls)
    assert len(documented) == len(set(documented)), f"{cls.__name__} documents a parameter twice"
    assert sorted(cls().get_params(deep=False)) == sorted(signature)
    missing, extra = sorted(set(signature) - set(documented)), sorted(set(documented) - set(signature))
    assert not missing and not extra, f"{cls.__name__}: undocumented {missing}, documented but absent {extra}"


# The methods whose docstrings sktcn writes itself (scikeras' inherited ones describe
# sparse input and Keras' Model.predict, neither of which applies).
METHODS = {TCNClassifier: ("fit", "partial_fit", "initialize", "predict", "predict_proba", "score"),
           TCNRegressor: ("fit", "partial_fit", "initialize", "predict", "score")}


@pytest.mark.parametrize("cls, method", [(cls, m) for cls, methods in METHODS.items() for m in methods],
                         ids=lambda v: getattr(v, "__name__", v))
def test_method_docs_are_sktcns_and_match_the_signature(cls, method):
    function = getattr(cls, method)
    assert function.__module__.startswith("sktcn."), f"{cls.__name__}.{method} is inherited from scikeras"
    doc = FunctionDoc(function)
    signature = [name for name in inspect.signature(function).parameters if name != "self"]
    assert [p.name.lstrip("*") for p in doc["Parameters"]] == signature
    assert doc["Returns"] and "sparse matrix" not in function.__doc__ and "Model.predict" not in function.__doc__


def test_predict_names_a_keyword_argument_it_does_not_take(series_2d):
    # scikeras would route it to Keras' Model.predict, which sktcn never calls: it was dropped silently.
    X, y = series_2d
    reg = TCNRegressor(nb_filters=2, epochs=1, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="no_such_keras_argument"):
        reg.predict(X, no_such_keras_argument=1)
    clf = TCNClassifier(nb_filters=2, epochs=1, random_state=0).fit(X, y > 0)
    for method in (clf.predict, clf.predict_proba):
        with pytest.raises(TypeError, match="batch_size"):
            method(X, batch_size=1)
