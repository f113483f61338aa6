"""Every public estimator documents exactly its parameters: signature == get_params() == docstring.

In the spirit of scikit-learn's ``test_docstring_parameters.py``: a parameter
added to a signature but not to the docs (or documented but gone) fails here,
whatever mechanism builds the signature.
"""

import inspect

import pytest
from numpydoc.docscrape import ClassDoc

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor
from sktcn.baselines import LSTMClassifier, LSTMRegressor

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
