"""Small PDFs shaped like real maintenance manuals, drawn with reportlab's canvas, for the layout tests
(tests/test_layout_pdf.py). Each builder writes one PDF and returns what it drew, so a test can say
what the reader must give back. Coordinates are reportlab's (points, y up from the bottom of a US
Letter page, 612 x 792)."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

BODY, BOLD = "Helvetica", "Helvetica-Bold"

# --- 1. troubleshooting table without rules, columns interleaved line by line ----------------------

TROUBLE_CAPTION = "Table 4-1. Troubleshooting the HP-3 booster pump."
TROUBLE_HEADERS = ("Problem", "Cause", "Remedy")
# each row: the lines of each cell, as printed (a cell wraps onto 2-3 lines)
TROUBLE_ROWS = [
    (["Pump does not start"],
     ["Fuse F2 blown in the", "control box"],
     ["Replace fuse F2 (10 A,", "slow-blow). Check motor", "insulation first."]),
    (["Discharge pressure", "below 4.5 bar"],
     ["Suction strainer", "clogged"],
     ["Clean the strainer; torque", "cover bolts to 25 N·m."]),
    (["Motor overheats"],
     ["Supply voltage low or", "one phase missing"],
     ["Measure 400 V ±10 % at", "terminals L1-L3."]),
    (["Seal leaks more than", "10 drops per minute"],
     ["Mechanical seal worn"],
     ["Replace seal kit P/N", "HP3-SK-07 (para 5-12)."]),
]
TROUBLE_X = (72, 232, 392)


def _table_page(path: Path, heading: str, intro: str, caption: str) -> canvas.Canvas:
    """A page with a heading, a sentence and a table's caption, ready for the table below them."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 14)
    c.drawString(72, 720, heading)
    c.setFont(BODY, 10)
    c.drawString(72, 698, intro)
    c.drawString(72, 672, caption)
    return c


def troubleshooting_table(path: Path) -> None:
    c = _table_page(path, "4 Troubleshooting", "Before any check, switch the pump off at the main isolator and lock it out.",
                    TROUBLE_CAPTION)
    y = 652
    c.setFont(BOLD, 9)
    for x, h in zip(TROUBLE_X, TROUBLE_HEADERS):
        c.drawString(x, y, h)
    y -= 18
    c.setFont(BODY, 9)
    for row in TROUBLE_ROWS:
        depth = max(len(cell) for cell in row)
        for k in range(depth):  # line by line across the columns: the text stream interleaves them
            for x, cell in zip(TROUBLE_X, row):
                if k < len(cell):
                    c.drawString(x, y, cell[k])
            y -= 11
        y -= 8  # more space between rows than between a cell's lines
    c.setFont(BODY, 10)
    c.drawString(72, y - 14, "If the fault persists, call HP service on +49 30 1234 5678.")
    c.save()


# --- 2. spec table drawn column by column, with a group label ------------------------------------

SPEC_CAPTION = "Table 1-2. Engine Repair Standards."
SPEC_HEADERS = ("Component", "Standard (in.)", "Metric (mm)")
# (indent, label, value, metric); a row without values is a group label over the indented rows below
SPEC_ROWS = [
    (0, "Cylinder Bore", "", ""),
    (12, "Diameter", "3.8750 - 3.8765 in.", "98.425 - 98.463 mm"),
    (12, "Out of Round", "0.0015 in. max", "0.038 mm max"),
    (12, "Taper", "0.0010 in. max", "0.025 mm max"),
    (0, "Piston Ring Gap", "0.010 - 0.020 in.", "0.25 - 0.51 mm"),
    (0, "Valve Spring Pressure", "76 lb at 1.69 in.", "338 N at 42.9 mm"),
    (0, "Connecting Rod Bolt Torque", "45 lb-ft", "61 N·m"),
]
SPEC_X = (72, 260, 420)


def spec_table(path: Path) -> None:
    c = _table_page(path, "1-6 Repair Standards", "Measure each part at room temperature; replace any part outside its limits.",
                    SPEC_CAPTION)
    top = 650
    for col, x in enumerate(SPEC_X):  # the whole label column, then the values, then the metric column
        c.setFont(BOLD, 9)
        c.drawString(x, top, SPEC_HEADERS[col])
        c.setFont(BODY, 9)
        for k, row in enumerate(SPEC_ROWS):
            text = row[1 + col]
            if text:
                c.drawString(x + (row[0] if col == 0 else 0), top - 18 - 13 * k, text)
    c.drawString(72, top - 18 - 13 * len(SPEC_ROWS) - 20, "Torque the bolts in two passes, in the order of figure 1-9.")
    c.save()


# --- 3. two text columns under a full-width title --------------------------------------------------

TWO_COL_TITLE = "Section 2. Hydraulic System Description"
_PROSE = (
    "The hydraulic system supplies fluid at 3000 psi to the flight control actuators, the landing gear and "
    "the wheel brakes. Two engine driven pumps feed the main manifold through check valves, so that either "
    "pump alone can carry the full load. The reservoir is pressurized to 45 psi by bleed air to keep the "
    "pump inlets from cavitating at altitude. A sight gauge on the reservoir shows the fluid level; service "
    "the reservoir with MIL-PRF-83282 fluid only, never with automotive brake fluid. The system filter has "
    "a differential pressure indicator that pops out when the element is clogged: replace the element and "
    "reset the button, then run the system for five minutes and check again. The accumulator is precharged "
    "with dry nitrogen to 1000 psi with the system depressurized. Check the precharge every 100 flight hours "
    "and after any replacement of the accumulator or its charging valve. A low precharge makes the pressure "
    "gauge needle chatter during actuator movement. The relief valve opens at 3650 psi and reseats at 3300 "
    "psi; a relief valve that does not reseat heats the fluid quickly and must be replaced. Pressure lines "
    "are stainless steel tubing; return lines are aluminum. Torque the B-nuts of 3/8 in. lines to 270 in-lb "
    "and the B-nuts of 1/2 in. lines to 450 in-lb, holding the fitting with a second wrench. Never "
    "overtighten a leaking fitting: disassemble it, inspect the flare for cracks and replace the sleeve. "
    "When the system has been opened, bleed the air at the high points until clear fluid flows without "
    "bubbles, then top up the reservoir to the FULL mark. Record every servicing in the aircraft logbook "
    "with the quantity of fluid added and the reason. Fluid samples are taken every 300 hours from the "
    "sampling valve on the return manifold and sent to the laboratory for a particle count; a count above "
    "class 8 calls for a filter change and a second sample after ten hours of operation. Hoses are "
    "replaced on condition or after eight years, whichever comes first; the date of manufacture is printed "
    "on the hose sleeve. Before removing any component, depressurize the system by cycling the controls "
    "with the engines stopped until the pressure gauge reads zero, and cap every open port at once. "
    "Protective caps and plugs are kept in the kit bag of the maintenance stand; never use tape or rags to "
    "close a hydraulic port. Tag the aircraft as unserviceable while any hydraulic component is removed, "
    "and remove the tag only after the leak check at full system pressure has been passed and signed."
)
TWO_COL_X = (72, 324)
TWO_COL_WIDTH = 216


def two_column_lines() -> tuple[list[str], list[str]]:
    """The left column's lines and the right column's lines (25 each)."""
    lines = simpleSplit(_PROSE, BODY, 9.5, TWO_COL_WIDTH)
    assert len(lines) >= 50, len(lines)
    return lines[:25], lines[25:50]


def two_columns(path: Path, across: bool) -> None:
    """`across`: the producer drew line by line across both columns (the stream interleaves them);
    else column by column."""
    left, right = two_column_lines()
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 15)
    c.drawString(72, 730, TWO_COL_TITLE)

    def draw(x: float, y: float, line: str, last: bool):
        t = c.beginText(x, y)
        t.setFont(BODY, 9.5)
        spaces = line.count(" ")
        if spaces and not last:  # justified: stretch the word spaces to fill the column
            t.setWordSpace((TWO_COL_WIDTH - stringWidth(line, BODY, 9.5)) / spaces)
        t.textLine(line)
        c.drawText(t)

    ys = [700 - 12.5 * k for k in range(25)]
    if across:
        for k in range(25):
            draw(TWO_COL_X[0], ys[k], left[k], False)
            draw(TWO_COL_X[1], ys[k], right[k], k == 24)
    else:
        for col, lines in zip(TWO_COL_X, (left, right)):
            for k in range(25):
                draw(col, ys[k], lines[k], col == TWO_COL_X[1] and k == 24)
    c.save()


# --- 4. running header, footer and printed page labels ---------------------------------------------

RUNNING_HEADER = "ACME GPU-400 O&M Manual"
RUNNING_FOOTER = "Rev. 3  2024-05-01"
RUNNING_LABELS = ("3-1", "3-2", "3-3", "3-4")
RUNNING_BODY = [
    ("3-1 Scheduled Maintenance", [
        "Perform the daily checks before the first start of the shift.",
        "Check the coolant level in the expansion tank; top up with 50/50 glycol.",
        "Inspect the drive belt for cracks and check its deflection: 10 to 12 mm.",
    ]),
    ("3-2 Air Filter Service", [
        "Remove the four wing nuts and lift off the filter cover.",
        "Replace the element when the restriction indicator shows red.",
        "Tighten the wing nuts by hand only; do not use tools.",
    ]),
    ("3-3 Oil Change", [
        "Run the engine for 5 minutes to warm the oil, then stop it.",
        "Drain the oil into a 20 L container and replace the filter.",
        "Torque the drain plug to 35 N·m and refill with 14 L of SAE 15W-40.",
    ]),
    ("3-4 Fuel System", [
        "Drain water from the fuel filter bowl every 50 hours.",
        "Replace the fuel filter every 500 hours or when power drops.",
        "Bleed the fuel system at the bleed screw until no bubbles appear.",
    ]),
]


def running_furniture(path: Path, labels: tuple[str, ...] = RUNNING_LABELS) -> None:
    """Four pages, each with the running header, the footer and its printed page label (`labels`)."""
    c = canvas.Canvas(str(path), pagesize=letter)
    for label, (heading, body) in zip(labels, RUNNING_BODY):
        c.setFont(BODY, 9)
        c.drawString(72, 752, RUNNING_HEADER)
        c.drawString(72, 36, RUNNING_FOOTER)
        c.drawRightString(540, 36, label)
        c.setFont(BOLD, 14)
        c.drawString(72, 700, heading)
        c.setFont(BODY, 10)
        for k, line in enumerate(body):
            c.drawString(72, 676 - 14 * k, line)
        c.showPage()
    c.save()


# --- 5. a table continued on the next page, its header repeated ------------------------------------

CONT_HEADERS = ("Fastener", "Thread", "Torque")
CONT_PAGE1 = [("Cylinder head bolts", "M12 x 1.5", "95 N·m"), ("Main bearing cap bolts", "M12 x 1.5", "110 N·m"),
              ("Connecting rod nuts", "M10 x 1.0", "60 N·m"), ("Flywheel bolts", "M10 x 1.25", "75 N·m")]
CONT_PAGE2 = [("Oil pan bolts", "M6 x 1.0", "10 N·m"), ("Injector clamp bolts", "M8 x 1.25", "25 N·m"),
              ("Exhaust manifold nuts", "M10 x 1.5", "45 N·m")]
CONT_CAPTIONS = ("Table 2. Engine torque values.", "Table 2 (cont)")


def continued_table(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=letter)
    xs = (72, 260, 400)
    for page, (caption, rows) in enumerate(zip(CONT_CAPTIONS, (CONT_PAGE1, CONT_PAGE2))):
        c.setFont(BODY, 9)
        c.drawString(72, 752, "GPU-400 Engine Overhaul")
        top = 700
        if page == 0:
            c.setFont(BOLD, 14)
            c.drawString(72, top, "2-4 Torque Values")
            c.setFont(BODY, 10)
            c.drawString(72, top - 22, "Use a calibrated torque wrench; threads clean and lightly oiled.")
            top -= 50
        c.setFont(BODY, 10)
        c.drawString(72, top, caption)
        c.setFont(BOLD, 9)
        for x, h in zip(xs, CONT_HEADERS):
            c.drawString(x, top - 20, h)
        c.setFont(BODY, 9)
        for k, row in enumerate(rows):
            for x, cell in zip(xs, row):
                c.drawString(x, top - 38 - 13 * k, cell)
        if page == 1:
            c.setFont(BODY, 10)
            c.drawString(72, top - 38 - 13 * len(rows) - 24, "Retorque the cylinder head bolts after 50 hours of operation.")
        c.showPage()
    c.save()


# --- 6. staggered troubleshooting table (US Army TM style) -----------------------------------------

STAG_CAPTION = "Table 3-1. Troubleshooting."
STAG_HEADS = (("MALFUNCTION", 72), ("TEST OR INSPECTION", 100), ("CORRECTIVE ACTION", 140))
# (x, line): 72 = malfunction, 100 = test or inspection, 140 = corrective action
STAG_BODY = [
    (72, "1. PUMP WILL NOT START."),
    (100, "Step 1. Check fuse F2 on the control panel."),
    (140, "Replace fuse F2 if blown (para 3-4)."),
    (100, "Step 2. Check for 24 V dc at connector J1."),
    (140, "If voltage is missing, repair the wiring"),
    (140, "harness (para 3-7)."),
    (72, "2. WATER IS GETTING INTO SHELTER."),
    (100, "Step 1. Inspect the door seals for tears."),
    (140, "Replace the damaged door seal (para 4-12)."),
    (100, "Step 2. Check the roof drain for blockage."),
    (140, "Clear the drain with a 6 mm rod."),
]


def staggered_table(path: Path, rule_gap: float = 8) -> None:
    """`rule_gap`: the extra space between the last header line and the first malfunction (a rule is
    drawn in it), on top of the 12-point line pitch."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 12)
    c.drawString(72, 730, "Section II. TROUBLESHOOTING")
    c.setFont(BODY, 10)
    c.drawString(72, 706, "Table 3-1 lists the common malfunctions you may find with the shelter.")
    c.drawString(200, 680, STAG_CAPTION)
    y = 656
    for text, x in STAG_HEADS:
        c.drawString(x, y, text)
        y -= 12
    c.line(72, y + 4, 540, y + 4)  # the rule under the header lines
    y -= rule_gap
    for x, text in STAG_BODY:
        c.drawString(x, y, text)
        y -= 12
    c.save()


# --- 7. a figure with callouts and a caption -------------------------------------------------------

FIGURE_CAPTION = "Figure 3-2. Filter assembly."
FIGURE_CALLOUTS = [(170, 600, "1 Filter housing"), (360, 560, "2 O-ring"), (170, 480, "3 Element"), (360, 440, "4 Drain plug")]


def figure_page(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 12)
    c.drawString(72, 720, "3-5 Filter Element Replacement")
    c.setFont(BODY, 10)
    c.drawString(72, 698, "Close the inlet valve and open the drain plug (4) before removing the housing (1).")
    c.drawString(72, 684, "Fit a new O-ring (2) lightly coated with clean hydraulic fluid.")
    c.rect(150, 420, 320, 240)  # the figure
    c.circle(310, 540, 60)
    c.line(250, 603, 290, 580)
    c.setFont(BODY, 8)
    for x, y, text in FIGURE_CALLOUTS:
        c.drawString(x, y, text)
    c.setFont(BODY, 10)
    c.drawCentredString(310, 400, FIGURE_CAPTION)
    c.drawString(72, 370, "Tighten the housing by hand, then a further quarter turn; open the inlet valve slowly.")
    c.save()


# --- 8. a procedure whose steps point to figures: a vector figure on its page, an image on the next --

FIGPROC_TITLE = "4-3 Pump Seal Replacement"
FIGPROC_INTRO = "Remove the pump cover as shown in Figure 4-1 before you start."
FIGPROC_STEPS = [
    "1. Drain the pump casing and remove the four cover bolts.",
    "2. Pull the old seal with the seal puller. See Figure 4-2.",
    "3. Press the new seal in until it is flush with the housing face.",
    "4. Torque the cover bolts to 12 N·m in a cross pattern.",
]
FIGPROC_VECTOR = ("Figure 4-1. Pump cover.", (150, 300, 470, 500), [(170, 470, "A Cover bolt (4)"), (330, 330, "B Cover")])
FIGPROC_IMAGE = ("Figure 4-2. Removing the seal.", (156, 430, 456, 655), [(170, 625, "C Seal puller"), (360, 450, "D Seal")])
FIGPROC_AFTER = "The seal kit part number is HP3-SK-07; keep the old seal for the failure report."


def _seal_png() -> bytes:
    """A small drawing as a PNG (what a scanned illustration is in a PDF): grey ground, a ring, a bar."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (200, 150), (235, 235, 235))
    d = ImageDraw.Draw(img)
    d.ellipse((60, 35, 140, 115), outline=(40, 40, 40), width=6)
    d.rectangle((20, 68, 180, 82), fill=(90, 90, 90))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def figure_procedure(path: Path) -> None:
    """Page 1: a procedure (its intro names Figure 4-1, step 2 says "See Figure 4-2") and Figure 4-1
    drawn as vector paths under the steps; page 2: Figure 4-2, an embedded image with callouts set on
    it, its caption under it, then a sentence. Figure boxes are (x0, y0, x1, y1) in reportlab's
    coordinates (y up)."""
    import io

    from reportlab.lib.utils import ImageReader

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 14)
    c.drawString(72, 720, FIGPROC_TITLE)
    c.setFont(BODY, 10)
    c.drawString(72, 698, FIGPROC_INTRO)
    for k, step in enumerate(FIGPROC_STEPS):
        c.drawString(72, 672 - 16 * k, step)
    caption, (x0, y0, x1, y1), callouts = FIGPROC_VECTOR
    c.rect(x0, y0, x1 - x0, y1 - y0)
    c.circle((x0 + x1) / 2, (y0 + y1) / 2, 60)
    for cx, cy in ((200, 450), (420, 450), (200, 350), (420, 350)):
        c.circle(cx, cy, 8)
    c.setFont(BODY, 8)
    for x, y, text in callouts:
        c.drawString(x, y, text)
    c.setFont(BODY, 10)
    c.drawCentredString((x0 + x1) / 2, y0 - 20, caption)
    c.showPage()
    caption, (x0, y0, x1, y1), callouts = FIGPROC_IMAGE
    c.drawImage(ImageReader(io.BytesIO(_seal_png())), x0, y0, x1 - x0, y1 - y0)
    c.setFont(BODY, 8)
    for x, y, text in callouts:
        c.drawString(x, y, text)
    c.setFont(BODY, 10)
    c.drawCentredString((x0 + x1) / 2, y0 - 22, caption)
    c.drawString(72, y0 - 60, FIGPROC_AFTER)
    c.showPage()
    c.save()


# --- 9. a scan behind a text layer, a figure that is one big image, a scan without text ------------

BIG_IMAGE_BOX = (40, 140, 572, 740)  # most of the page, but not all of it


def scans_and_big_images(path: Path) -> None:
    """Page 1: a page-sized image (a scan) under a text layer that names "Figure 1": no figure;
    page 2: a figure that is one big image (BIG_IMAGE_BOX) with a callout on it, its caption under it;
    page 3: a scan with no text layer."""
    import io

    from reportlab.lib.utils import ImageReader

    scan = ImageReader(io.BytesIO(_seal_png()))
    c = canvas.Canvas(str(path), pagesize=letter)
    c.drawImage(scan, 0, 0, 612, 792)
    c.setFont(BODY, 10)
    c.drawString(72, 700, "Figure 1. Hydraulic schematic.")
    c.drawString(72, 680, "The schematic shows the pump, the filter and the return line to the reservoir.")
    c.showPage()
    x0, y0, x1, y1 = BIG_IMAGE_BOX
    c.drawImage(scan, x0, y0, x1 - x0, y1 - y0)
    c.setFont(BODY, 9)
    c.drawString(100, 700, "PANEL A")
    c.setFont(BODY, 10)
    c.drawCentredString(306, y0 - 20, "Figure 7. Control panel layout.")
    c.drawString(72, 80, "Keep the panel closed while the unit runs.")
    c.showPage()
    c.drawImage(scan, 0, 0, 612, 792)
    c.showPage()
    c.save()


WRAPPED_CAPTION = ("Figure 5-1. Hydraulic pump, seal housing and", "drive coupling assembly.")
WRAPPED_AFTER = "Check the coupling for wear before you fit the pump."


def wrapped_caption(path: Path) -> None:
    """A vector figure whose caption wraps onto a second line set tight under the first, then a
    paragraph after a gap."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.rect(150, 420, 320, 200)
    c.circle(310, 520, 60)
    c.setFont(BODY, 10)
    c.drawString(150, 400, WRAPPED_CAPTION[0])
    c.drawString(150, 388, WRAPPED_CAPTION[1])
    c.drawString(72, 350, WRAPPED_AFTER)
    c.showPage()
    c.save()


CHART_HEADERS = ["To change", "To", "Multiply by"]
CHART_LEFT = [("inches", "centimeters", "2.540"), ("feet", "meters", ".305"), ("yards", "meters", ".914")]
CHART_RIGHT = [("ounce-inches", "newton-meters", ".007062"), ("centimeters", "inches", ".394"),
               ("pound-feet", "newton-meters", "1.356")]
CHART_X = [72, 160, 250, 330, 420, 510]


def conversion_chart(path: Path) -> None:
    """A conversion chart printed as two copies of one three-column table side by side, its column
    names repeated over each copy (as Army TMs print "Approximate Conversion Factors")."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 12)
    c.drawString(72, 730, "Approximate Conversion Factors")
    c.setFont(BOLD, 10)
    for x, h in zip(CHART_X, CHART_HEADERS * 2):
        c.drawString(x, 700, h)
    c.setFont(BODY, 10)
    for k, (left, right) in enumerate(zip(CHART_LEFT, CHART_RIGHT)):
        for x, cell in zip(CHART_X, left + right):
            c.drawString(x, 680 - 16 * k, cell)
    c.showPage()
    c.save()


# --- lettered steps set with a hanging indent (an Army TM's procedure) ----------------------------

# (x of the marker or left-hand word, x of the text, the two strings), top to bottom: a paragraph opened
# by "c ." whose wrapped lines start left of its marker (the words there set apart by the justified
# line's wide spaces), then numbered and lettered steps, each marker drawn apart from its text
HANGING_LINES = [
    (47, 81, "c .", "Adjust. (Figure 3-20) Adjustment to increase the seal pressure on the silicone"),
    (26, 81, "weather", "gasket can be made on the hinged side of the door and on the roller latch side of the"),
    (27, 80, "door, as", "described in the following paragraphs:"),
    (84, 0, "(1) Weather Gasket Pressure Adjustment. To increase the weather gasket pressure", ""),
    (114, 0, "on the hinged side of the door, proceed as follows", ""),
    (114, 142, "(a)", "Open the door and remove and retain three bolts (1), six flat washers"),
    (145, 0, "(2), and three self-locking nuts (3) attaching the hinge to the door.", ""),
    (115, 142, "(b)", "Coat each new shim with conductive compound on both sides."),
    (112, 144, "(c )", "Insert shim (4), approximately 0.032 inches thick and matching the hinge"),
    (144, 0, "body in size, between the hinge leaf and the door.", ""),
    (83, 113, "(2)", "Seal Pressure Adjustment. To increase the seal pressure on the roller latch"),
    (113, 0, "side of the door, proceed as follows", ""),
    (114, 0, "(a) Open the door and remove the keeper (9) and shim (10).", ""),
    (114, 0, "(b) Add a 0.032 inch shim between the keeper (9) and the shelter.", ""),
]


def hanging_steps(path: Path) -> None:
    """A US Army TM's adjustment procedure (TM 10-5411-205-13, p. 3-34): the geometry of a two-column
    table (a column of markers and outdented words, a column of text) that is a paragraph and its steps."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 11)
    c.drawString(33, 714, "3-18. Door Gaskets (cont).")
    c.setFont("Times-Roman", 10)
    y = 690
    for x, tx, a, b in HANGING_LINES:
        c.drawString(x, y, a)
        if b:
            c.drawString(tx, y, b)
        y -= 13
    c.showPage()
    c.save()


SPACED_TITLE = ("MAINTENANCE MANUAL", "ELECTRICAL EQUIPMENT SHELTER")


def spaced_title(path: Path) -> None:
    """A title page set in spaced-out capitals, each letter placed 4 pt after the last, the last letter of
    each word drawn on its own (as the S-250/G manual's title page is built): pdfium reads "MANUA L"."""
    c = canvas.Canvas(str(path), pagesize=letter)
    y = 700
    for line in SPACED_TITLE:
        x = 100.0
        for word in line.split(" "):
            t = c.beginText(x, y)
            t.setFont(BOLD, 16)
            t.setCharSpace(4)
            t.textOut(word[:-1])
            c.drawText(t)
            x += stringWidth(word[:-1], BOLD, 16) + 4 * len(word[:-1])
            c.setFont(BOLD, 16)
            c.drawString(x, y, word[-1])
            x += stringWidth(word[-1], BOLD, 16) + 4 + stringWidth(" ", BOLD, 16) + 8
        y -= 30
    c.setFont(BODY, 10)
    c.drawString(100, 600, "This manual covers the S-250/G shelter.")
    c.showPage()
    c.save()


RAISED_DEGREES = ("Do not attempt any repair unless temperature is between 60°F and 85°F.",
                  "Store the adhesive between 40°F and 90°F.")


def raised_degrees(path: Path) -> None:
    """Cautions whose degree signs are set as a small "0" and "o" raised by a text rise (as the S-250/G
    manual sets them: pdfium reads "between 600F and 85oF"), the second line's drawn as separate
    objects and raised higher (pdfium breaks the line after each), above a line whose "600F" and
    "400F" are figures."""
    c = canvas.Canvas(str(path), pagesize=letter)
    t = c.beginText(72, 700)  # one text object, the raised letters set with a text rise
    for piece, raised in (("Do not attempt any repair unless temperature is between 60", False), ("0", True),
                          ("F and 85", False), ("o", True), ("F.", False)):
        t.setFont(BODY, 5 if raised else 12)
        t.setRise(4 if raised else 0)
        t.textOut(piece)
    c.drawText(t)
    x = 72.0
    for piece, raised in (("Store the adhesive between 40", False), ("0", True), ("F and 90", False), ("o", True), ("F.", False)):
        size = 5 if raised else 12
        c.setFont(BODY, size)
        c.drawString(x, 670 + (6 if raised else 0), piece)
        x += stringWidth(piece, BODY, size)
    c.setFont(BODY, 12)
    c.drawString(72, 640, "The oven reaches 600F in ten minutes; the probe reads up to 400F.")
    c.showPage()
    c.save()


# each step: its letter, the pieces of its first line (drawn apart in the text stream), its wrapped lines
DRAWN_PARENS_STEPS = (
    ("d", ("Using a soft cloth lightly coated", "with solvent, remove excess adhesive from"), ("adhesive filled panel surface.",)),
    ("e", ("Cover adhesive filled panel with", "a sheet of polyethylene."), ()),
    ("f", ("Place a 1/2 inch plywood sheet or equivalent against polyethylene sheet",),
     ("and apply an even surface pressure over repaired area", "for at least 24 hours.")),
    ("g", ("After adhesive has been allowed to cure the required time, remove",), ("plywood and polyethylene sheet.",)),
    ("h", ("Sand the repaired area with sandpaper to remove excess cured adhesive.",), ()),
    ("i", ("Fill the hollow core portions of pop rivet and any surrounding uneven",),
     ("surface with body filler material, allowing to dry for 1 hour.",)),
)


def drawn_parentheses(path: Path) -> None:
    """Lettered steps whose parentheses are drawn, not set as text, as TM 10-5411-205-13 p. 4-5 prints
    "(d)" to "(j)": pdfium reads a bare "d", set small and high beside its step's first line, written
    into the stream before the steps' text; each first line's second piece is written after all the
    first pieces. The marker and text column have the geometry of a two-column table."""
    c = canvas.Canvas(str(path), pagesize=letter)
    ys, y = [], 600.0
    for _, _, rest in DRAWN_PARENS_STEPS:
        ys.append(y)
        y -= 12 * (1 + len(rest)) + 13
    for (letter_, _, _), y in zip(DRAWN_PARENS_STEPS, ys):
        c.setFont("Times-BoldItalic", 6)
        c.drawString(146, y + 5.5, letter_)
        c.arc(141, y + 3.5, 145, y + 12.5, 90, 180)
        c.arc(150, y + 3.5, 154, y + 12.5, -90, 180)
    c.setFont("Times-Roman", 12)
    for (_, first, rest), y in zip(DRAWN_PARENS_STEPS, ys):
        c.drawString(173, y, first[0])
        for k, line in enumerate(rest):
            c.drawString(173, y - 12 * (k + 1), line)
    for (_, first, _), y in zip(DRAWN_PARENS_STEPS, ys):
        if len(first) > 1:
            c.drawString(173 + stringWidth(first[0], "Times-Roman", 12) + 5, y, first[1])
    c.showPage()
    c.save()


TASK_CONTENTS = ("This task covers: a. Inspect", "b. Test", "c . Adjust", "d. Replace")


def task_contents(path: Path) -> None:
    """A US Army TM's task opening (TM 10-5411-205-13, p. 3-32): its title, the lettered parts it covers
    listed one a line under "This task covers:", then its first lettered part, a title run into its text."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 11)
    c.drawString(33, 714, "3-18. Door Gaskets.")
    c.setFont("Times-Roman", 10)
    y = 690
    for line in TASK_CONTENTS:
        c.drawString(33 if line.startswith("This") else 113, y, line)
        y -= 13
    c.drawString(33, y - 13, "INITIAL SETUP")
    c.drawString(33, y - 26, "Tools: General Mechanic's Automotive Tool Kit")
    c.drawString(33, y - 52, "b . Test. (Figure 3-19) Test of the door assembly consists of testing for proper seal")
    c.drawString(33, y - 65, "pressure on the silicone weather gasket.")
    c.drawString(33, y - 91, "c . Adjust. (Figure 3-20)")
    c.drawString(33, y - 104, "(1) Open the door and remove and retain three bolts (1).")
    c.showPage()
    c.save()


def titled_number(path: Path) -> None:
    """A TM task's title whose hyphen the PDF draws as a line (TM 10-5411-205-13, p. 4-4: pdfium reads "4-7." as
    "47."), bold, over its contents line; and a bold step, which says what to do, for contrast."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 11)
    c.drawString(33, 714, "47. Delamination Repair.")
    c.setFont("Times-Roman", 10)
    c.drawString(33, 700, "This task covers: a Inspect")
    c.drawString(33, 674, "Delaminated panels lose their strength where the core is loose.")
    c.setFont(BOLD, 10)
    c.drawString(33, 650, "12. Remove the cover.")
    c.setFont("Times-Roman", 10)
    c.drawString(33, 636, "13. Drill the center hole.")
    c.showPage()
    c.save()


def lettered_titles(path: Path) -> None:
    """A TM task whose lettered parts are titled by phrases in body type (TM 10-5411-205-13, p. 3-5: each
    truck's tiedown), then a lettered instruction over its steps."""
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont(BOLD, 11)
    c.drawString(33, 714, "3-5. Service Upon Receipt of Materiel.")
    c.setFont("Times-Roman", 10)
    lines = ["d . Securing Shelter on 1-1/4-Ton (M880) Truck.", "(1) Fabricate and install wooden dunnage in truck.",
             "(2) Install tiedown provisions as described in SB 11-640.",
             "e . Securing Shelter on 1-1/4-Ton (M1028) Truck.", "(1) Fabricate a wooden dunnage in truck.",
             "(2) Unhook four cable assemblies from sling ring assembly.",
             "f. Remove the four corner screws.", "(1) Lift the corner plate off the shelter."]
    y = 690
    for line in lines:
        c.drawString(33 if not line.startswith("(") else 53, y, line)
        y -= 18
    c.showPage()
    c.save()


# --- Chinese running text wrapped at the column edge (CCAR-43, p. 16) ---------------------------------

# each line as drawn: pieces in STSong-Light (Chinese) and Helvetica (a figure set in a Latin font), every
# line but a paragraph's last running to the right edge of the column
ZH_WRAPPED = [
    [("zh", "维修单位应当按下列规定进行测试，各项性能测试应当在仪表受到振")],
    [("zh", "动的状况下进行。滞后测试应在高度表初始加压至本规定的高度表误")],
    [("zh", "差的测试的上限所对应的压力后，"), ("latin", "15"), ("zh", "分钟内开始。并且滞后测试")],
    [("zh", "应在该高度表处于该压力下进行。")],
    [("zh", "编号："), ("gap", ""), ("zh", "颁发日期：本指令自颁发之日起施行")],
    [("zh", "标题：维修管理指令的主题")],
    [("zh", "本说明依据航空器维修和改装一般规则的规定一并列出下列各项内容的")],
    [("zh", "一．制定背景")],
    [("zh", "随着我国国民经济的快速发展，航空业也得到了迅速的发展。")],
]


def chinese_wraps(path: Path) -> None:
    """Chinese paragraphs wrapped at the column edge, one with a figure set in a Latin font (a run of its
    own), then a form's two fields set apart on one line, and a line that ends a paragraph at the edge
    before a part numbered "一．"."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=letter)
    size, left, y = 11, 72, 720
    edge = left + 30 * size  # 30 Chinese characters a line
    for pieces in ZH_WRAPPED:
        x = left
        for kind, text in pieces:
            if kind == "gap":  # the next field starts at the far side of the column
                x = edge - size * len(pieces[-1][1])
                continue
            font = "STSong-Light" if kind == "zh" else BODY
            space = 15 if kind == "latin" else 0  # a figure set apart (CCAR-43: 15 pt), pdfium gives a space there
            c.setFont(font, size)
            c.drawString(x + space, y, text)
            x += stringWidth(text, font, size) + 2 * space
        y -= 16
    c.showPage()
    c.save()


# --- a torque table with grouped column names (an Army TM's "Torque Limits for Dry Fasteners") --------

GROUPED_CAPTION = "Table F-1. Torque Limits for Dry Fasteners"
# (group name, its second line): each group heads two sub-columns, pound-feet and newton-meters
GROUPED_GROUPS = (("SAE GRADE", "NO. 1 or 2"), ("SAE GRADE", "No. 5"), ("SAE GRADE", "No. 8"))
GROUPED_ROWS = [
    ("1/4", "20", "5", "6.78", "8", "10.85", "12", "16.27"),
    ("3/8", "16", "18", "24.41", "31", "42.04", "44", "59.66"),
    ("1/2", "13", "39", "52.88", "75", "101.70", "105", "142.38"),
    ("5/8", "11", "63", "85.43", "150", "203.40", "210", "284.76"),
]
GROUPED_SIZE_X = (80, 125)  # the size and thread columns
GROUPED_X = (220, 320, 420)  # where each group's pound-feet values end (set right); newton-meters 45 pt on


def grouped_header_table(path: Path) -> None:
    """A torque table whose column names take four lines: a group name ("SAE GRADE") and its number
    ("No. 5", "NO. 1 or 2") centred over two sub-columns, the sub-columns' names ("POUND" and "NEWTON",
    then "FEET" and "METERS") over values set to the right, so that the centred group names stand
    over the newton-meter values only."""
    c = _table_page(path, "F-3 General Torque Limits for Capscrews", "Use these values when a procedure gives no torque.", GROUPED_CAPTION)
    c.setFont(BOLD, 8)
    c.drawString(95, 640, "SIZE")
    for x, (name, number) in zip(GROUPED_X, GROUPED_GROUPS):
        mid = x + 22
        c.drawCentredString(mid, 640, name)
        c.drawCentredString(mid, 628, number)
        c.drawString(x - 14, 614, "POUND    NEWTON")
        c.drawString(x - 12, 602, "FEET")
        c.drawString(x + 20, 602, "METERS")
    c.drawString(GROUPED_SIZE_X[0] - 4, 614, "DIA.")
    c.drawString(GROUPED_SIZE_X[1] - 6, 614, "THREADS")
    c.drawString(GROUPED_SIZE_X[0] - 8, 602, "INCHES")
    c.drawString(GROUPED_SIZE_X[1] - 6, 602, "PER INCH")
    c.setFont(BODY, 9)
    for k, row in enumerate(GROUPED_ROWS):
        y = 584 - 14 * k
        c.drawString(GROUPED_SIZE_X[0], y, row[0])
        c.drawString(GROUPED_SIZE_X[1], y, row[1])
        for g, x in enumerate(GROUPED_X):
            c.drawRightString(x, y, row[2 + 2 * g])
            c.drawRightString(x + 45, y, row[3 + 2 * g])
    c.drawString(72, 584 - 14 * len(GROUPED_ROWS) - 20, "Torque values are for clean, dry threads.")
    c.showPage()
    c.save()
