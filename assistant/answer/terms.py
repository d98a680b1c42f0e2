"""The terms of a question: its topic words, stemmed like the corpus, question words removed.

Corpus-side weights and sentences are in ``assistant.index.statistics``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.text.french import tokenize

# Words that shape a question but carry no topic ("combien", "c'est quoi", "il faut"), in
# their folded form; they are stemmed like the corpus (see ``question_words``).
_QUESTION_WORDS = """
combien quoi quel quelle quels quelles comment quand pourquoi lequel laquelle lesquels
faut faudra faudrait doit doivent devons devez devait devaient devra devront peut peuvent
pouvons pouvez pouvait pouvaient pourra pourront pourrait ca cela ceci est-ce c'est ete
dire veut voudrait faire fait fais font avoir etre exactement concretement alors aussi bien
tout toute tous toutes chaque donc ici la-dessus svp merci bonjour on nous vous
il elle ils elles y en ce cet cette ces quelqu selon d'apres dans
question reponse savoir sait connaitre expliquer explique explique-moi dis-moi
pareil pareille idem actuel actuelle actuellement aujourd'hui maintenant nouveau nouvelle
va vont vais aller passe passer passera
""".split()


@lru_cache(maxsize=1)
def question_words() -> frozenset[str]:
    """The stems of the question words."""
    stems: set[str] = set()
    for word in _QUESTION_WORDS:
        stems.update(tokenize(word))
    return frozenset(stems)


_HOW_LONG = re.compile(r"\bcombien de (?:temps|fois)\b", re.IGNORECASE)
"""« combien de temps » asks for a duration, « combien de fois » for a frequency: « temps » and
« fois » are the question's shape, not its topic (the guides say « une durée de cinq ans »,
« chaque semaine »)."""


def question_terms(text: str) -> list[str]:
    """The topic terms of a question: stemmed, deduplicated, question words removed."""
    skip = question_words()
    return [t for t in dict.fromkeys(tokenize(_HOW_LONG.sub("combien", text))) if t not in skip]
