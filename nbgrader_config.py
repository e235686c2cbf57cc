"""nbgrader configuration of the course. Run every nbgrader command from the repository root.

solutions/<lab>/ holds the source notebooks (solutions, visible and hidden tests); nbgrader generate_assignment
writes the student versions to labs/<lab>/. Submissions go to submitted/, graded copies to autograded/,
feedback to feedback/: all three are ignored by git.
"""
import os

c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "scalability-fundamentals"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"

# Real benchmarks inside a lab cell take seconds; a cell that runs longer than this is stopped and scored zero.
c.ExecutePreprocessor.timeout = 120
c.Execute.timeout = 120
# Student versions: solution regions become this stub.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Grading: restore locked cells (tests, instructions) from the gradebook, so an edited test cannot pass.
c.Autograde.create_student = True
c.ClearOutput.enabled = True
# A deleted test cell is put back from the gradebook and run, so deleting a test cannot dodge it.
c.OverwriteCells.add_missing_cells = True
# Late submissions lose 10 % of their score per started day late (see docs/GRADING.md).
c.AssignLatePenalties.plugin_class = "scalelab.classroom.LatePenalty"
# Feedback shows which test failed and its message, never the hidden tests' code, and carries no script: HTML and
# JavaScript outputs and raw HTML in Markdown are sanitised (nbconvert's SanitizeHTML, switched on, and sanitize_html).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "scalelab.classroom.HideHiddenTests",
    "scalelab.classroom.SanitizeMarkup",
]
c.HTMLExporter.sanitize_html = True
# A submission's enormous output is cut rather than stored whole.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100
