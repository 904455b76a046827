"""Study mode: cards built from the data (cards), their export formats (export, with genanki for
Anki packages), and the spaced-repetition review state of the quiz (review, with fsrs). Loaded
only by the `cards` and `quiz` commands."""
