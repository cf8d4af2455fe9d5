# ruff: noqa: E501
"""Generates bpmn/stage_obligatoire.bpmn and bpmn/stage_volontaire.bpmn (with full BPMN-DI).

The .bpmn files are the source of truth (designers may edit them in a modeler); this script is
only how their first version and layout were produced. Run:

    .venv/bin/python bpmn/outils/generer_bpmn.py
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

BPMN_DIR = Path(__file__).resolve().parent.parent

SIZES = {
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "intermediateCatchEvent": (36, 36),
    "boundaryEvent": (36, 36),
    "exclusiveGateway": (50, 50),
    "parallelGateway": (50, 50),
    "eventBasedGateway": (50, 50),
    "userTask": (100, 80),
    "scriptTask": (100, 80),
    "callActivity": (100, 80),
}

MESSAGES = {
    "inscription": "Inscription à une session",
    "resultat_session": "Résultat de la session",
    "annulation_session": "Annulation de la session",
    "attestation_recue": "Attestation reçue",
    "conformite_connue": "Conformité connue",
    "invalidation_48si": "Invalidation (48SI)",
}


class Node:
    def __init__(self, kind, nid, name, x, y, doc, *, size=None, children=None, **attrs):
        self.kind, self.id, self.name, self.doc = kind, nid, name, doc
        self.w, self.h = size or SIZES[kind]
        self.cx, self.cy = x, y
        self.attrs = attrs
        self.children = children  # for a subProcess: (nodes, flows)
        self.incoming: list[str] = []
        self.outgoing: list[str] = []

    @property
    def x(self):
        return self.cx - self.w // 2

    @property
    def y(self):
        return self.cy - self.h // 2

    def port(self, side):
        return {
            "l": (self.x, self.cy),
            "r": (self.x + self.w, self.cy),
            "t": (self.cx, self.y),
            "b": (self.cx, self.y + self.h),
        }[side]


class Flow:
    def __init__(
        self, fid, src, tgt, name=None, cond=None, out="r", inp="l", via=(), default=False
    ):
        self.id, self.src, self.tgt, self.name, self.cond = fid, src, tgt, name, cond
        self.out, self.inp, self.via, self.default = out, inp, list(via), default


class Proc:
    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []

    def add(self, *args, **kw):
        n = Node(*args, **kw)
        self.nodes[n.id] = n
        return n

    def flow(self, *args, **kw):
        f = Flow(*args, **kw)
        self.flows.append(f)
        return f


def doc(text):
    return f"<bpmn:documentation>{escape(text)}</bpmn:documentation>"


def all_nodes(proc):
    for n in proc.nodes.values():
        yield n
        if n.children:
            yield from all_nodes(n.children)


def all_flows(proc):
    yield from proc.flows
    for n in proc.nodes.values():
        if n.children:
            yield from all_flows(n.children)


def emit_proc(proc, indent):
    sp = " " * indent
    for f in proc.flows:
        proc.nodes[f.src].outgoing.append(f.id)
        proc.nodes[f.tgt].incoming.append(f.id)
        if f.default:
            proc.nodes[f.src].attrs["default"] = f.id
    out = []
    for n in proc.nodes.values():
        attrs = f"id={quoteattr(n.id)} name={quoteattr(n.name)}"
        for k, v in n.attrs.items():
            if not k.startswith("_"):
                attrs += f" {k}={quoteattr(v)}"
        body = [doc(n.doc)]
        body += [f"<bpmn:incoming>{i}</bpmn:incoming>" for i in n.incoming]
        body += [f"<bpmn:outgoing>{o}</bpmn:outgoing>" for o in n.outgoing]
        if "_message" in n.attrs:
            body.append(
                f'<bpmn:messageEventDefinition id="{n.id}_def" messageRef="msg_{n.attrs["_message"]}" />'
            )
        if "_timedate" in n.attrs:
            body.append(
                f'<bpmn:timerEventDefinition id="{n.id}_def"><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                f"{escape(n.attrs['_timedate'])}</bpmn:timeDate></bpmn:timerEventDefinition>"
            )
        if "_script" in n.attrs:
            body.append(f"<bpmn:script>{escape(n.attrs['_script'])}</bpmn:script>")
        inner = "".join(f"\n{sp}  {b}" for b in body)
        if n.children:
            inner += "\n" + emit_proc(n.children, indent + 2)
        out.append(f"{sp}<bpmn:{n.kind} {attrs}>{inner}\n{sp}</bpmn:{n.kind}>")
    for f in proc.flows:
        attrs = f"id={quoteattr(f.id)}" + (f" name={quoteattr(f.name)}" if f.name else "")
        attrs += f" sourceRef={quoteattr(f.src)} targetRef={quoteattr(f.tgt)}"
        if f.cond:
            out.append(
                f"{sp}<bpmn:sequenceFlow {attrs}>\n{sp}  <bpmn:conditionExpression "
                f'xsi:type="bpmn:tFormalExpression">{escape(f.cond)}</bpmn:conditionExpression>\n'
                f"{sp}</bpmn:sequenceFlow>"
            )
        else:
            out.append(f"{sp}<bpmn:sequenceFlow {attrs} />")
    return "\n".join(out)


def emit_di(procs_with_pools, collab_id):
    lines = [
        f'  <bpmndi:BPMNDiagram id="diagramme">\n    <bpmndi:BPMNPlane id="plan" bpmnElement="{collab_id}">'
    ]
    for pid, (px, py, pw, ph), proc in procs_with_pools:
        lines.append(
            f'      <bpmndi:BPMNShape id="participant_{pid}_di" bpmnElement="participant_{pid}" isHorizontal="true">'
            f'<dc:Bounds x="{px}" y="{py}" width="{pw}" height="{ph}" /></bpmndi:BPMNShape>'
        )
        nodes = {n.id: n for n in all_nodes(proc)}
        for n in nodes.values():
            extra = ' isExpanded="true"' if n.children else ""
            if n.kind == "exclusiveGateway":
                extra += ' isMarkerVisible="true"'
            label = ""
            if n.kind in (
                "startEvent",
                "endEvent",
                "intermediateCatchEvent",
                "boundaryEvent",
            ) or n.kind.endswith("Gateway"):
                lx, ly = n.cx - 38, n.y + n.h + 4
                if n.attrs.get("_label_above"):
                    ly = n.y - 44
                label = f'<bpmndi:BPMNLabel><dc:Bounds x="{lx}" y="{ly}" width="76" height="40" /></bpmndi:BPMNLabel>'
            lines.append(
                f'      <bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{extra}>'
                f'<dc:Bounds x="{n.x}" y="{n.y}" width="{n.w}" height="{n.h}" />{label}</bpmndi:BPMNShape>'
            )
        for f in all_flows(proc):
            s, t = nodes[f.src], nodes[f.tgt]
            pts = [s.port(f.out), *f.via, t.port(f.inp)]
            wps = "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in pts)
            label = ""
            if f.name:
                (x1, y1), (x2, y2) = pts[0], pts[1]
                lx, ly = (x1 + x2) // 2 - 30 + (8 if x1 == x2 else 0), (y1 + y2) // 2 - 18
                label = f'<bpmndi:BPMNLabel><dc:Bounds x="{lx}" y="{ly}" width="60" height="14" /></bpmndi:BPMNLabel>'
            lines.append(
                f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">{wps}{label}</bpmndi:BPMNEdge>'
            )
    lines.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>")
    return "\n".join(lines)


def branch_a(p: Proc, obligatoire: bool, entry: str):
    """The course loop (Branch A); returns the id of its last node."""
    p.add(
        "exclusiveGateway",
        "fusion_inscription",
        "Attente d'une inscription",
        510,
        260,
        "Point de retour : après une annulation de session (R36), une absence ou un retard sans "
        "attestation (R34) ou une attestation refusée, le dossier attend une nouvelle inscription. "
        "L'échéance ne bouge pas (R36, D1).",
        _label_above=True,
    )
    p.add(
        "intermediateCatchEvent",
        "attente_inscription",
        "Inscription à une session",
        590,
        260,
        "Attend le message « inscription » : le dossier est inscrit à une session d'un centre agréé "
        "(R23, R31). Une session se terminant après l'échéance est acceptée et signalée (R19).",
        _message="inscription",
    )
    p.add(
        "eventBasedGateway",
        "attente_resultat",
        "Attente du résultat de la session",
        680,
        260,
        "Attend soit le résultat de la session (présences, R34), soit son annulation (R36).",
    )
    p.add(
        "intermediateCatchEvent",
        "resultat_session_recu",
        "Résultat de la session",
        770,
        260,
        "Message « resultat_session » : la présence du stagiaire a été enregistrée (R34, R38).",
        _message="resultat_session",
    )
    p.add(
        "intermediateCatchEvent",
        "annulation_session_recue",
        "Session annulée",
        770,
        160,
        "Message « annulation_session » : la session est annulée (R36) ; retour à l'attente "
        "d'une inscription, sans report de l'échéance.",
        _message="annulation_session",
    )
    p.add(
        "exclusiveGateway",
        "attestation_delivree_gw",
        "Attestation délivrée ?",
        860,
        260,
        'Lit dossier["attestation_delivree"], calculé par les règles : une absence ou un retard '
        "(R34) ne donne pas d'attestation (R38).",
        _label_above=True,
    )
    p.add(
        "intermediateCatchEvent",
        "attente_attestation",
        "Attestation reçue en préfecture",
        950,
        260,
        "Message « attestation_recue » : la préfecture a reçu l'attestation transmise par le "
        "centre (R38) ; le délai de traitement d'un mois court (R39, D4).",
        _message="attestation_recue",
    )
    p.add(
        "userTask",
        "verification_attestation",
        "Vérifier l'attestation de stage",
        1060,
        260,
        "Tâche du gestionnaire : valider ou refuser l'attestation (R23, R31–R35, R38, R41). "
        "Formulaire : decision ∈ {valider, refuser}, motif obligatoire en cas de refus "
        "(schéma dans workflows/contract.py).",
    )
    p.add(
        "exclusiveGateway",
        "decision_verification_gw",
        "Attestation validée ?",
        1170,
        260,
        "Suit la décision du gestionnaire : « refuser » renvoie à l'attente d'une inscription.",
        _label_above=True,
    )
    p.add(
        "exclusiveGateway",
        "examen_manuel_requis_gw",
        "Examen manuel requis ?",
        1260,
        260,
        'Lit dossier["examen_manuel_requis"] : permis dont le solde légal est nul ou négatif '
        "sans 48SI notifiée (R24), 48N revenue NPAI (R17, D11), session de moins de 6 ou plus "
        "de 20 stagiaires (R32, R41, Q11).",
        _label_above=True,
    )
    p.add(
        "callActivity",
        "appel_examen_manuel",
        "Examen manuel",
        1380,
        180,
        "Appelle le processus réutilisable « examen_manuel_processus » (tâche examen_manuel) ; "
        "la décision et le motif reviennent dans les données (R24, R17, R32, Q11).",
        calledElement="examen_manuel_processus",
    )
    p.add(
        "scriptTask",
        "crediter_apres_examen",
        "Créditer les points (décision d'examen)",
        1520,
        180,
        "Enregistre la décision de l'examen manuel : crédit calculé par les règles (R26, plafond "
        "R4, date d'effet R27/D3, un stage par an R25, invalidité R42) ou refus motivé.",
        scriptFormat="python",
        _script="crediter_points(decision, motif)",
    )
    p.add(
        "scriptTask",
        "crediter_sans_examen",
        "Créditer les points",
        1450,
        330,
        "Crédit automatique du stage validé : les règles calculent le nombre de points (R26, "
        "plafond R4, R25, R42) et la date d'effet (R27, D3).",
        scriptFormat="python",
        _script='crediter_points("crediter", "")',
    )
    p.add(
        "exclusiveGateway",
        "fusion_credit",
        "Stage crédité",
        1640,
        260,
        "Jonction des deux chemins de crédit (R26).",
        _label_above=True,
    )

    p.flow("f_a_entree", entry, "fusion_inscription", **_entry_route(entry))
    p.flow("f_a_01", "fusion_inscription", "attente_inscription")
    p.flow("f_a_02", "attente_inscription", "attente_resultat")
    p.flow("f_a_03", "attente_resultat", "resultat_session_recu")
    p.flow("f_a_04", "attente_resultat", "annulation_session_recue", out="t", via=[(680, 160)])
    p.flow(
        "f_a_05",
        "annulation_session_recue",
        "fusion_inscription",
        out="t",
        inp="t",
        via=[(770, 115), (510, 115)],
    )
    p.flow("f_a_06", "resultat_session_recu", "attestation_delivree_gw")
    p.flow(
        "f_a_07",
        "attestation_delivree_gw",
        "attente_attestation",
        name="oui",
        cond='dossier["attestation_delivree"]',
    )
    p.flow(
        "f_a_08",
        "attestation_delivree_gw",
        "fusion_inscription",
        name="non",
        out="b",
        inp="b",
        via=[(860, 340), (510, 340)],
        default=True,
    )
    p.flow("f_a_09", "attente_attestation", "verification_attestation")
    p.flow("f_a_10", "verification_attestation", "decision_verification_gw")
    p.flow(
        "f_a_11",
        "decision_verification_gw",
        "examen_manuel_requis_gw",
        name="valider",
        cond='decision == "valider"',
    )
    p.flow(
        "f_a_12",
        "decision_verification_gw",
        "fusion_inscription",
        name="refuser",
        out="b",
        inp="b",
        via=[(1170, 375), (510, 375)],
        cond='decision == "refuser"',
    )
    p.flow(
        "f_a_13",
        "examen_manuel_requis_gw",
        "appel_examen_manuel",
        name="oui",
        out="t",
        via=[(1260, 180)],
        cond='dossier["examen_manuel_requis"]',
    )
    p.flow(
        "f_a_14",
        "examen_manuel_requis_gw",
        "crediter_sans_examen",
        name="non",
        out="b",
        via=[(1260, 330)],
        default=True,
    )
    p.flow("f_a_15", "appel_examen_manuel", "crediter_apres_examen")
    p.flow("f_a_16", "crediter_apres_examen", "fusion_credit", inp="t", via=[(1640, 180)])
    p.flow("f_a_17", "crediter_sans_examen", "fusion_credit", inp="b", via=[(1640, 330)])
    if obligatoire:
        p.add(
            "scriptTask",
            "decider_remboursement",
            "Décider du remboursement de l'amende",
            1760,
            260,
            "Les règles décident du remboursement de l'amende forfaitaire : stage obligatoire "
            "accompli dans le délai de 4 mois (R45–R49, R48, D6).",
            scriptFormat="python",
            _script="decider_remboursement()",
        )
        p.flow("f_a_18", "fusion_credit", "decider_remboursement")
        return "decider_remboursement"
    return "fusion_credit"


def _entry_route(entry):
    if entry == "scission_parcours":
        return {"out": "t", "via": [(430, 260)]}
    return {}


def branch_b(p: Proc):
    p.add(
        "exclusiveGateway",
        "echeance_connue_gw",
        "Échéance connue ?",
        480,
        580,
        'Lit dossier["echeance_timer"] : None quand la 48N est revenue NPAI, le délai de '
        "4 mois ne court pas (R17, D11).",
        _label_above=True,
    )
    p.add(
        "exclusiveGateway",
        "fusion_surveillance",
        "Surveillance de l'échéance",
        560,
        580,
        "Retour à la surveillance quand la conformité connue n'est pas acquise (R19).",
        _label_above=True,
    )
    p.add(
        "eventBasedGateway",
        "surveillance_echeance",
        "Échéance ou conformité ?",
        640,
        580,
        "Attend l'échéance du délai de 4 mois (D1) ou l'annonce que la conformité est connue (R19).",
    )
    p.add(
        "intermediateCatchEvent",
        "echeance_4_mois",
        "Échéance du délai de 4 mois",
        730,
        580,
        'Minuterie timeDate = dossier["echeance_timer"] : début du jour (Europe/Paris) suivant '
        "l'échéance de 4 mois à compter de la réception de la 48N (R17, D1, D11), calculé par "
        "les règles ; jamais une durée « P4M ».",
        _timedate='dossier["echeance_timer"]',
    )
    p.add(
        "intermediateCatchEvent",
        "conformite_connue_recue",
        "Conformité connue",
        730,
        470,
        "Message « conformite_connue » : la conformité du stage au sens de R19 a changé.",
        _message="conformite_connue",
    )
    p.add(
        "exclusiveGateway",
        "conformite_apres_message_gw",
        "Conformité acquise ?",
        820,
        470,
        'Lit dossier["conformite"] : « conforme » (stage validé dans le délai, R19) ou '
        "« sans_objet » (48SI notifiée, Q8) termine la surveillance.",
        _label_above=True,
    )
    p.add(
        "exclusiveGateway",
        "fusion_situation",
        "Réexamen de la situation",
        830,
        580,
        "Retour après la fin d'une session en cours à l'échéance (R19).",
    )
    p.add(
        "exclusiveGateway",
        "situation_echeance_gw",
        "Situation à l'échéance",
        910,
        580,
        'Lit dossier["conformite"] à l\'échéance : conforme ou sans objet → fin ; en attente '
        "(session se terminant au plus tard à l'échéance, ou attestation conforme non encore "
        "décidée, R19) → attendre ; sinon non conforme (R21).",
        _label_above=True,
    )
    p.add(
        "intermediateCatchEvent",
        "attente_conformite",
        "Attente de la conformité",
        910,
        690,
        "Message « conformite_connue » : le résultat de la session suivie dans le délai est "
        "connu (R19, R34).",
        _message="conformite_connue",
    )
    p.add(
        "scriptTask",
        "constater_non_conformite",
        "Constater la non-conformité",
        1040,
        580,
        "Le délai est expiré sans stage conforme : obligation non remplie, dossier candidat au "
        "signalement (R21, Q14). Le dossier reste ouvert et peut encore suivre un stage (R26).",
        scriptFormat="python",
        _script="constater_non_conformite()",
    )
    p.add(
        "userTask",
        "signalement_parquet",
        "Décider du signalement au parquet",
        1180,
        580,
        "Tâche du gestionnaire : signaler ou non la contravention de l'article R223-4 II "
        "(R21, Q14). Formulaire : decision ∈ {signaler, ne_pas_signaler}, motif.",
    )
    p.add(
        "scriptTask",
        "enregistrer_signalement",
        "Enregistrer la décision de signalement",
        1320,
        580,
        "Enregistre la décision de signalement (R21).",
        scriptFormat="python",
        _script="enregistrer_signalement(decision, motif)",
    )
    p.add(
        "exclusiveGateway",
        "fusion_fin_surveillance",
        "Fin de la surveillance",
        1880,
        580,
        "Jonction des fins de la surveillance de l'échéance (R19, R21).",
    )

    p.flow("f_b_entree", "scission_parcours", "echeance_connue_gw", out="b", via=[(430, 580)])
    p.flow(
        "f_b_01",
        "echeance_connue_gw",
        "fusion_surveillance",
        name="oui",
        cond='dossier["echeance_timer"] is not None',
    )
    p.flow(
        "f_b_02",
        "echeance_connue_gw",
        "fusion_fin_surveillance",
        name="non (NPAI)",
        out="b",
        inp="b",
        via=[(480, 770), (1880, 770)],
        default=True,
    )
    p.flow("f_b_03", "fusion_surveillance", "surveillance_echeance")
    p.flow("f_b_04", "surveillance_echeance", "echeance_4_mois")
    p.flow("f_b_05", "surveillance_echeance", "conformite_connue_recue", out="t", via=[(640, 470)])
    p.flow("f_b_06", "conformite_connue_recue", "conformite_apres_message_gw")
    p.flow(
        "f_b_07",
        "conformite_apres_message_gw",
        "fusion_fin_surveillance",
        name="oui",
        inp="t",
        via=[(1880, 470)],
        cond='dossier["conformite"] in ("conforme", "sans_objet")',
    )
    p.flow(
        "f_b_08",
        "conformite_apres_message_gw",
        "fusion_surveillance",
        name="non",
        out="t",
        inp="t",
        via=[(820, 420), (560, 420)],
        default=True,
    )
    p.flow("f_b_09", "echeance_4_mois", "fusion_situation")
    p.flow("f_b_10", "fusion_situation", "situation_echeance_gw")
    p.flow(
        "f_b_11",
        "situation_echeance_gw",
        "fusion_fin_surveillance",
        name="conforme",
        out="t",
        inp="t",
        via=[(910, 520), (1880, 520)],
        cond='dossier["conformite"] in ("conforme", "sans_objet")',
    )
    p.flow(
        "f_b_12",
        "situation_echeance_gw",
        "attente_conformite",
        name="en attente",
        out="b",
        inp="t",
        cond='dossier["conformite"] == "en_attente"',
    )
    p.flow("f_b_13", "attente_conformite", "fusion_situation", out="l", inp="b", via=[(830, 690)])
    p.flow(
        "f_b_14",
        "situation_echeance_gw",
        "constater_non_conformite",
        name="non conforme",
        default=True,
    )
    p.flow("f_b_15", "constater_non_conformite", "signalement_parquet")
    p.flow("f_b_16", "signalement_parquet", "enregistrer_signalement")
    p.flow("f_b_17", "enregistrer_signalement", "fusion_fin_surveillance")
    return "fusion_fin_surveillance"


def invalidation(p: Proc, obligatoire: bool, y: int):
    """Path after the interrupting boundary message (Q8)."""
    p.add(
        "scriptTask",
        "constater_invalidation",
        "Constater l'invalidation (48SI)",
        1000,
        y,
        "Une 48SI est notifiée pendant le dossier : le permis est invalidé (R6, R11) ; "
        "l'obligation passe en examen manuel, sans signalement automatique (Q8).",
        scriptFormat="python",
        _script="constater_invalidation()",
    )
    p.add(
        "callActivity",
        "appel_examen_manuel_invalidation",
        "Examen manuel",
        1160,
        y,
        "Appelle le processus réutilisable « examen_manuel_processus » (Q8, R42).",
        calledElement="examen_manuel_processus",
    )
    p.add(
        "exclusiveGateway",
        "stage_a_crediter_gw",
        "Stage à créditer ?",
        1290,
        y,
        'Lit dossier["stage_a_crediter"] : un stage attesté attend encore son crédit (R26, R40, R42).',
        _label_above=True,
    )
    p.add(
        "scriptTask",
        "crediter_apres_invalidation",
        "Créditer les points (décision d'examen)",
        1410,
        y,
        "Enregistre la décision de l'examen manuel sur le stage attesté (R26, R42).",
        scriptFormat="python",
        _script="crediter_points(decision, motif)",
    )
    last = "crediter_apres_invalidation"
    if obligatoire:
        p.add(
            "scriptTask",
            "decider_remboursement_invalidation",
            "Décider du remboursement de l'amende",
            1550,
            y,
            "Les règles décident du remboursement (R45–R49).",
            scriptFormat="python",
            _script="decider_remboursement()",
        )
        p.flow("f_i_05", "crediter_apres_invalidation", "decider_remboursement_invalidation")
        last = "decider_remboursement_invalidation"
    p.add(
        "exclusiveGateway",
        "fusion_invalidation",
        "Fin de l'examen",
        1680,
        y,
        "Jonction avant la clôture après invalidation (Q8).",
        _label_above=True,
    )
    p.add(
        "endEvent",
        "dossier_clos_invalidation",
        "Dossier clos après invalidation",
        1770,
        y,
        "Fin du dossier après une invalidation du permis (48SI, Q8).",
    )
    p.flow("f_i_01", "invalidation_48si_recue", "constater_invalidation", out="b", inp="t")
    p.flow("f_i_02", "constater_invalidation", "appel_examen_manuel_invalidation")
    p.flow("f_i_03", "appel_examen_manuel_invalidation", "stage_a_crediter_gw")
    p.flow(
        "f_i_04",
        "stage_a_crediter_gw",
        "crediter_apres_invalidation",
        name="oui",
        cond='dossier["stage_a_crediter"]',
    )
    p.flow("f_i_06", last, "fusion_invalidation")
    p.flow(
        "f_i_07",
        "stage_a_crediter_gw",
        "fusion_invalidation",
        name="non",
        out="b",
        inp="b",
        via=[(1290, y + 90), (1680, y + 90)],
        default=True,
    )
    p.flow("f_i_08", "fusion_invalidation", "dossier_clos_invalidation")


def examen_process():
    p = Proc()
    p.add(
        "startEvent",
        "debut_examen",
        "Examen manuel demandé",
        250,
        0,
        "Début de l'examen manuel (R24, R17, R32, Q8, Q11).",
    )
    p.add(
        "userTask",
        "examen_manuel",
        "Examen manuel du dossier",
        380,
        0,
        "Tâche du gestionnaire : une personne juge la situation (R24, CE 29/09/2023 ; 48SI "
        "notifiée, Q8 ; 48N NPAI, R17/D11 ; session irrégulière, R32/R41/Q11). Formulaire : "
        "decision ∈ {crediter, refuser}, motif obligatoire en cas de refus ; « crediter » "
        "confirme le calcul des règles (R26), « refuser » crédite 0 avec le motif.",
    )
    p.add("endEvent", "fin_examen", "Examen terminé", 510, 0, "Fin de l'examen manuel.")
    p.flow("f_e_01", "debut_examen", "examen_manuel")
    p.flow("f_e_02", "examen_manuel", "fin_examen")
    return p


def shift(proc, dy):
    for n in all_nodes(proc):
        n.cy += dy
    for f in all_flows(proc):
        f.via = [(x, y + dy) for x, y in f.via]


def build(obligatoire: bool):
    key = "stage_obligatoire" if obligatoire else "stage_volontaire"
    inner = Proc()
    if obligatoire:
        inner.add(
            "startEvent",
            "debut_parcours",
            "Début du parcours",
            350,
            410,
            "Début du parcours : la boucle des stages et la surveillance de l'échéance.",
        )
        inner.add(
            "parallelGateway",
            "scission_parcours",
            "Stage et échéance en parallèle",
            430,
            410,
            "Le dossier peut suivre un stage pendant que l'échéance de 4 mois est surveillée (R17, R19).",
        )
        inner.flow("f_p_01", "debut_parcours", "scission_parcours")
        last_a = branch_a(inner, True, "scission_parcours")
        last_b = branch_b(inner)
        inner.add(
            "parallelGateway",
            "jonction_parcours",
            "Stage et échéance terminés",
            2000,
            410,
            "Le dossier se clôt quand le stage est traité et la surveillance terminée (R21, R26).",
        )
        inner.add("endEvent", "fin_parcours", "Parcours terminé", 2090, 410, "Fin du parcours.")
        inner.flow("f_p_02", last_a, "jonction_parcours", inp="t", via=[(2000, 260)])
        inner.flow("f_p_03", last_b, "jonction_parcours", inp="b", via=[(2000, 580)])
        inner.flow("f_p_04", "jonction_parcours", "fin_parcours")
        sub_box = (300, 80, 1860, 730)  # x, y, w, h
        inv_y = 920
    else:
        inner.add(
            "startEvent",
            "debut_parcours",
            "Début du parcours",
            350,
            260,
            "Début du parcours de stage volontaire (R29).",
        )
        last_a = branch_a(inner, False, "debut_parcours")
        inner.add("endEvent", "fin_parcours", "Parcours terminé", 1740, 260, "Fin du parcours.")
        inner.flow("f_p_04", last_a, "fin_parcours")
        sub_box = (300, 80, 1500, 330)
        inv_y = 520
    sx, sy, sw, sh = sub_box
    top = Proc()
    start_id = "lettre_48n_recue" if obligatoire else "demande_stage_volontaire"
    start_doc = (
        "Réception de la lettre 48N par le titulaire du permis probatoire : l'obligation de stage "
        "naît (R10, R15, R16) ; le délai de 4 mois court à compter de la réception (R17, D1, D11)."
        if obligatoire
        else "Demande de stage volontaire de récupération de points (R29, R25)."
    )
    start_name = "Lettre 48N reçue" if obligatoire else "Demande de stage volontaire"
    cy = sy + sh // 2
    top.add("startEvent", start_id, start_name, 220, cy, start_doc)
    sub = top.add(
        "subProcess",
        "parcours_stage",
        "Parcours du stage",
        sx + sw // 2,
        cy,
        "Sous-processus interrompu par la notification d'une 48SI (Q8, R6, R42).",
        size=(sw, sh),
        children=inner,
    )
    top.add(
        "boundaryEvent",
        "invalidation_48si_recue",
        "48SI notifiée",
        1000,
        sy + sh,
        "Message « invalidation_48si » : une 48SI est notifiée pendant le dossier ; le parcours "
        "s'arrête (événement interrompant, Q8, R6, R11).",
        cancelActivity="true",
        attachedToRef="parcours_stage",
        _message="invalidation_48si",
    )
    end_doc = (
        "Dossier clos : stage crédité (R26) et remboursement décidé (R45–R49), ou échéance traitée (R21)."
        if obligatoire
        else "Dossier clos : stage volontaire crédité ou refusé (R26)."
    )
    top.add("endEvent", "dossier_clos", "Dossier clos", sx + sw + 80, cy, end_doc)
    top.flow("f_t_01", start_id, "parcours_stage")
    top.flow("f_t_02", "parcours_stage", "dossier_clos")
    invalidation(top, obligatoire, inv_y)
    _ = sub

    exam = examen_process()
    pool1 = (120, 30, sx + sw + 180, inv_y + 150 - 30)
    exam_y = pool1[1] + pool1[3] + 40 + 100
    shift(exam, exam_y)
    pool2 = (120, exam_y - 100, 560, 200)

    title = "Stage obligatoire (lettre 48N)" if obligatoire else "Stage volontaire"
    body = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'id="definitions_{key}" targetNamespace="https://prefecture.example/bpmn/{key}" '
        'exporter="generer_bpmn.py" exporterVersion="1">',
        f'  <bpmn:collaboration id="collaboration_{key}">',
        f'    <bpmn:participant id="participant_{key}" name={quoteattr(title)} processRef="{key}" />',
        '    <bpmn:participant id="participant_examen_manuel_processus" name="Examen manuel (réutilisable)" '
        'processRef="examen_manuel_processus" />',
        "  </bpmn:collaboration>",
    ]
    used = [
        "invalidation_48si",
        "inscription",
        "resultat_session",
        "annulation_session",
        "attestation_recue",
    ]
    if obligatoire:
        used.append("conformite_connue")
    for m in used:
        body.append(f'  <bpmn:message id="msg_{m}" name="{m}" />')
    body.append(f'  <bpmn:process id="{key}" name={quoteattr(title)} isExecutable="true">')
    body.append(
        "    "
        + doc(
            "Parcours d'un dossier de stage obligatoire : boucle des stages (R18–R19, R23–R41), "
            "surveillance de l'échéance de 4 mois (R17, R21, D1), crédit des points (R26) et "
            "remboursement de l'amende (R45–R49) ; interruption par une 48SI (Q8). Les règles sont "
            "calculées par le service (faits « dossier », actions) ; le BPMN n'en calcule aucune."
            if obligatoire
            else "Parcours d'un stage volontaire de récupération de points (R25, R26, R29) ; pas de délai "
            "ni de remboursement ; interruption par une 48SI (Q8)."
        )
    )
    body.append(emit_proc(top, 4))
    body.append("  </bpmn:process>")
    body.append(
        '  <bpmn:process id="examen_manuel_processus" name="Examen manuel" isExecutable="true">'
    )
    body.append(
        "    "
        + doc(
            "Processus réutilisable appelé par les activités d'appel : la tâche "
            "examen_manuel (R24, R17, R32, Q8, Q11)."
        )
    )
    body.append(emit_proc(exam, 4))
    body.append("  </bpmn:process>")
    body.append(
        emit_di(
            [(key, pool1, top), ("examen_manuel_processus", pool2, exam)], f"collaboration_{key}"
        )
    )
    body.append("</bpmn:definitions>\n")
    return key, "\n".join(body)


if __name__ == "__main__":
    for obligatoire in (True, False):
        key, xml = build(obligatoire)
        (BPMN_DIR / f"{key}.bpmn").write_text(xml, encoding="utf-8")
        print("écrit", key)
