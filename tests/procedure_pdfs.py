"""Procedures as real manuals print them, drawn with reportlab for tests/test_procedures.py (and a
troubleshooting table whose row is cut by the page break, for tests/test_layout_pdf.py): an Army-TM
task (a numbered title ending in a full stop, a tools and parts block in two columns, lettered parts
"a. Remove." with "(1)" steps whose text names figure callouts, a CAUTION before the step it guards,
the task continued on the next page under "(cont)."), and a decision-tree troubleshooting procedure
("Step 2. Is ...? If yes, go to step 4. If no, go to step 3."). Coordinates: reportlab points, y up."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

BODY, BOLD = "Helvetica", "Helvetica-Bold"

TM_TITLE = "3-15. Drain Plug."
TM_REMOVE = [
    ("(1)", ["Remove screw (1) attaching drain plug chain (2) to cover (3)."]),
    ("(2)", ["Pull plug (4) out of drain and discard the old gasket (5) and the", "two flat washers (6)."]),
]
TM_CAUTION = ["CAUTION", "Do not overtighten the plug. The drain threads (7) strip at more than 12 N·m."]
TM_INSTALL = [
    ("(1)", ["Fit a new gasket (5) on plug (4)."]),
    ("(2)", ["Install plug (4) firmly in drain and tighten to 10 N·m."]),
    ("(3)", ["Dip screw (1) in sealer and attach tab of chain (2) to cover (3)."]),
]


def _steps(c: canvas.Canvas, steps: list[tuple[str, list[str]]], y: float) -> None:
    """Army-TM steps from `y` down: the marker at x 126, the text (wrapped lines) at x 150."""
    for marker, lines in steps:
        c.drawString(126, y, marker)
        for k, line in enumerate(lines):
            c.drawString(150, y - 13 * k, line)
        y -= 13 * len(lines) + 12


def _task_head(c: canvas.Canvas, above: tuple[float, float, str], number: str, title: str, covers: str, size: float) -> None:
    """An Army-TM task's head: a line above it (the running head, a division), the number and title in
    bold at y 710, then "This task covers: ..." in body type of `size`."""
    c.setFont(BOLD, 11)
    c.drawString(*above)
    c.drawString(76, 710, number)
    c.drawString(110, 710, title)
    c.setFont(BODY, size)
    c.drawString(76, 680, f"This task covers: {covers}")


def tm_task(path: Path) -> None:
    """Page 1: the title, the setup block, "a. Remove. (Figure 3-16)" and its steps; page 2: the title
    again with "(cont).", "b. Install.", the CAUTION, then the install steps and the figure's caption."""
    c = canvas.Canvas(str(path), pagesize=letter)
    _task_head(c, (480, 760, "TM 10-5411-205-13"), "3-15.", "Drain Plug.", "a. Remove b. Install", 11)
    c.drawString(76, 650, "INITIAL SETUP")
    c.drawString(76, 628, "Tools")
    c.drawString(356, 628, "Materials/Parts")
    c.drawString(76, 612, "General Mechanic's Automotive Tool Kit")
    c.drawString(356, 612, "Sealer (Item 28, Appendix D)")
    c.drawString(356, 598, "Gasket (Item 12, Appendix D)")
    c.drawString(92, 566, "a. Remove. (Figure 3-16)")
    _steps(c, TM_REMOVE, 540)
    c.setFont(BOLD, 11)
    c.drawString(570, 40, "3-29")
    c.showPage()
    c.setFont(BOLD, 11)
    c.drawString(480, 760, "TM 10-5411-205-13")
    c.setFont(BODY, 11)
    c.drawString(76, 710, "3-15. Drain Plug (cont).")
    c.drawString(92, 680, "b. Install.")
    c.setFont(BOLD, 11)
    c.drawString(290, 656, TM_CAUTION[0])
    c.setFont(BODY, 11)
    c.drawString(140, 640, TM_CAUTION[1])
    _steps(c, TM_INSTALL, 610)
    c.drawString(220, 300, "Figure 3-16. Drain Plug Replacement.")
    c.setFont(BOLD, 11)
    c.drawString(570, 40, "3-30")
    c.showPage()
    c.save()


TREE_TITLE = "4-3. Low Discharge Pressure"
TREE_STEPS = [
    ["Step 1. Check the suction strainer for blockage. If blocked, clean the strainer and go to step 4;",
     "if not, go to next step."],
    ["Step 2. Is the discharge pressure above 4.5 bar with the outlet valve closed?", "If yes, go to step 4.",
     "If no, go to step 3."],
    ["Step 3. Replace the relief valve (para 5-12) and go to step 4."],
    ["Step 4. Start the pump and check that the gauge reads 5.0 bar within 30 seconds."],
]


def decision_tree(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 13)
    c.drawString(72, 720, TREE_TITLE)
    c.setFont(BODY, 10)
    c.drawString(72, 698, "Troubleshoot the HP-3 booster pump when the discharge pressure is low.")
    y = 670
    for lines in TREE_STEPS:
        for k, line in enumerate(lines):
            c.drawString(72 if k == 0 else 96, y, line)
            y -= 13
        y -= 10
    c.save()


BREAK_HEADERS = ("Problem", "Cause", "Remedy")
BREAK_X = (72, 220, 380)
# page 1 ends inside the second row: its Cause and Remedy go on at the top of page 2, under the header
# row printed again, with the Problem cell left empty
BREAK_PAGE1 = [(["Pump does not start"], ["Fuse F2 blown"], ["Replace fuse F2 (10 A)."]),
               (["Motor overheats"], ["Supply voltage low or"], ["Measure 400 V ±10 % at"])]
BREAK_PAGE2 = [([], ["one phase missing"], ["terminals L1-L3; restore the phase."]),
               (["Seal leaks"], ["Mechanical seal worn"], ["Replace seal kit HP3-SK-07."])]


def row_across_pages(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=letter)
    for page, rows in enumerate((BREAK_PAGE1, BREAK_PAGE2)):
        top = 700
        if page == 0:
            c.setFont(BOLD, 13)
            c.drawString(72, top + 20, "4-1 Troubleshooting")
        c.setFont(BODY, 10)
        c.drawString(72, top, "Table 4-1. Troubleshooting the HP-3 pump." if page == 0 else "Table 4-1 (cont)")
        c.setFont(BOLD, 10)
        for x, h in zip(BREAK_X, BREAK_HEADERS):
            c.drawString(x, top - 22, h)
        c.setFont(BODY, 10)
        y = top - 42 if page == 0 else top - 40
        for row in rows:
            for x, cell in zip(BREAK_X, row):
                for k, line in enumerate(cell):
                    c.drawString(x, y - 12 * k, line)
            y -= 12 * max(len(cell) for cell in row) + 10
        c.showPage()  # page 1 ends inside its last row
    c.save()


SUB_TITLE = "2-5. Water Pump Replacement"
SUB_STEPS = [("(1)", "Remove the water pump cover as follows:"), ("(a)", "Loosen the four screws (2) on the cover."),
             ("(b)", "Lift the cover (3) off the water pump."), ("(2)", "Clean the gasket seat of the pump housing."),
             ("(3)", "Install a new gasket (4) and the cover (3).")]


def lettered_substeps(path: Path) -> None:
    """Numbered steps with lettered sub-steps on lines of their own, indented under their step."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 12)
    c.drawString(72, 720, SUB_TITLE)
    c.setFont(BODY, 10)
    y = 690
    for marker, text in SUB_STEPS:
        x = 110 if marker[1].isalpha() else 80
        c.drawString(x, y, marker)
        c.drawString(x + 24, y, text)
        y -= 20
    c.save()


FRONT_EQUIPMENT = "SHELTER, ELECTRICAL EQUIPMENT S-250/G"
HINGE_TITLE = "3-21. Hinge Assembly."
HINGE_REMOVE = [("(1)", ["Remove six screws (1) and lockwashers (2) from the hinge (3)."]),
                ("(2)", ["Lift the hinge (3) off the door frame."])]


def tm_front_and_task(path: Path) -> None:
    """A manual's front page naming its equipment with stock numbers (the PDF's title is a file name),
    then a page under a division heading ("Section V. MAINTENANCE INSTRUCTIONS") with a task."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setTitle("koeb212.tmp")
    c.setFont(BOLD, 13)
    c.drawString(72, 700, "TECHNICAL MANUAL")
    c.setFont(BOLD, 16)
    c.drawString(72, 660, f"{FRONT_EQUIPMENT} (NSN 5411-00-999-4935)")
    c.setFont(BOLD, 12)
    c.drawString(72, 600, "HEADQUARTERS, DEPARTMENT OF THE ARMY")
    c.showPage()
    _task_head(c, (200, 740, "Section V. MAINTENANCE INSTRUCTIONS"), "3-21.", "Hinge Assembly.", "a. Remove", 10)
    c.setFont(BOLD, 10)
    c.drawString(92, 650, "a. Remove.")
    c.setFont(BODY, 10)
    _steps(c, HINGE_REMOVE, 626)
    c.save()


INNER_TITLE = "3-23. Inner Door Assembly."
INNER_REMOVE = [
    ("(1)", ["Remove and retain three phillips head screws (1) attaching door stay channel (2)", "to door panel."]),
    ("(2)", ["Remove and retain four nuts (5) and hex-head screws (3) attaching each hinge."]),
    ("(3)", ["Remove inner door assembly (6) and two hinge spacers (7)."]),
]
INNER_REPAIRS = [
    ("(1)", ["Door gasket replacement (paragraph 3-18)."]),
    ("(2)", ["Door handle assembly and latching mechanism replacement (paragraph 3-19)."]),
    ("(3)", ["Louver assembly, holder assembly, and RFI/EMI filter replacement (paragraph 3-24)."]),
]


def tm_task_with_repairs(path: Path) -> None:
    """A TM task whose "b. Remove. (Figure 3-25)" steps are followed, in the same part, by a repair
    paragraph that lists other tasks by paragraph ("(1) Door gasket replacement (paragraph 3-18).")."""
    c = canvas.Canvas(str(path), pagesize=letter)
    _task_head(c, (200, 740, "Section V. MAINTENANCE INSTRUCTIONS"), "3-23.", "Inner Door Assembly.", "a. Remove b. Repair", 10)
    c.setFont(BOLD, 10)
    c.drawString(92, 650, "b. Remove. (Figure 3-25)")
    c.setFont(BODY, 10)
    _steps(c, INNER_REMOVE, 626)
    c.drawString(92, 500, "c. Repair. Inner door assembly repair consists of the following:")
    _steps(c, INNER_REPAIRS, 476)
    c.save()
