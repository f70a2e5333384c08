"""Evaluation: translation quality through sacrebleu, terminology metrics, paired bootstrap
resampling, post-editing effort, reports, and public test sets.

One module per concept: ``inputs`` (reading and aligning files), ``quality`` (BLEU, chrF, chrF++,
TER), ``terminology``, ``bootstrap``, ``postedit`` (HTER), ``evaluation`` (putting them together),
``report`` (HTML, Markdown) and ``testsets`` (FLORES-200). Import from the module you need: this
package imports none of them, so that using one (``terminology`` in review, ``testsets`` for the
command's help) does not pull in sacrebleu and numpy.
"""
