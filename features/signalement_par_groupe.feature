# language: fr
@concepteurs
Fonctionnalité: Une table de décision choisit le groupe du signalement, un courrier part au procureur
  Un concepteur ajoute au stage obligatoire, sans Python, avant la tâche « Décider du
  signalement au parquet » : la table de décision « Groupe du signalement » (le groupe d'agents
  selon que le conducteur a suivi un stage ou non) et la tâche de service du catalogue qui confie
  la tâche à ce groupe ; puis, quand l'agent signale le dossier, la tâche de service qui produit
  le courrier au procureur. Le processus modifié est l'exemple
  features/exemples/signalement_par_groupe.

  Contexte:
    Étant donné le groupe « Signalements » (signalements) réunit l'agent
    Et le groupe « Contrôle » (controle) réunit les agents agent2
    Et le processus « stage_obligatoire » est déployé depuis l'exemple « signalement_par_groupe »
    Et un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026

  @R21
  Scénario: Sans stage, le bureau des signalements décide et le courrier au procureur est joint
    Quand le temps passe jusqu'au 11/07/2026
    Alors la table « Groupe du signalement » décide « signalements »
    Et la tâche « Décider du signalement au parquet » est proposée au groupe « Signalements »
    Et un agent hors du groupe ne peut pas prendre la tâche « Décider du signalement au parquet »
    Quand l'agent signale le dossier au parquet
    Alors le dossier est signalé au parquet
    Et un courrier « Signalement au procureur de la République » est joint au dossier

  @R21
  Scénario: Sans signalement, aucun courrier n'est joint
    Quand le temps passe jusqu'au 11/07/2026
    Et l'agent décide de ne pas signaler le dossier pour « Hospitalisation justifiée »
    Alors le dossier n'est pas signalé (décision de l'agent)
    Et aucun courrier n'est joint au dossier
