# language: fr
Fonctionnalité: Signalement au parquet quand l'échéance passe sans stage conforme
  Ne pas suivre le stage dans les quatre mois est une contravention (R21). Le logiciel ne signale
  rien de lui-même : il ouvre une tâche « signalement_parquet » et l'agent décide.

  Contexte:
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026

  @R21 @D1
  Scénario: Le dossier devient candidat au signalement le lendemain de l'échéance, jamais le jour même
    Quand le temps passe jusqu'au 10/07/2026
    Alors le dossier n'est pas signalé
    Et l'obligation de stage est en attente
    Quand le temps passe jusqu'au 11/07/2026
    Alors le dossier est candidat au signalement
    Et l'obligation de stage est non remplie
    Et une tâche « signalement_parquet » est ouverte
    Et aucun courrier « Signalement au procureur de la République » n'est joint au dossier
    Quand l'agent signale le dossier au parquet
    Alors le dossier est signalé au parquet
    Et un courrier « Signalement au procureur de la République » est joint au dossier

  @R21
  Scénario: L'agent peut décider de ne pas signaler le dossier
    Quand le temps passe jusqu'au 11/07/2026
    Et l'agent décide de ne pas signaler le dossier pour « Hospitalisation justifiée »
    Alors le dossier n'est pas signalé (décision de l'agent)
    Et aucun courrier « Signalement au procureur de la République » n'est joint au dossier

  @R19 @R21 @R26 @R48
  Scénario: Un stage suivi après l'échéance crédite les points mais sans remboursement
    Quand le temps passe jusqu'au 11/07/2026
    Et le conducteur suit le stage des 17/07/2026 et 18/07/2026
    Alors le dossier porte le signalement R19
    Quand l'attestation est reçue et validée le 20/07/2026
    Alors 3 points sont crédités
    Et l'obligation de stage est non remplie
    Et aucun remboursement n'est dû (R48)
    Et le dossier reste ouvert
    Quand l'agent signale le dossier au parquet
    Alors le dossier est signalé au parquet
    Et le dossier est clos

  @R19 @R21 @R26 @R48
  Scénario: Un stage daté avant l'échéance mais enregistré après elle crédite les points sans remboursement
    Quand le temps passe jusqu'au 11/07/2026
    Et le conducteur suit le stage des 01/07/2026 et 02/07/2026
    Et l'attestation est reçue et validée le 13/07/2026
    Alors 3 points sont crédités
    Et l'obligation de stage est non remplie
    Et aucun remboursement n'est dû (R48)

  # Scénario écrit en dernier, uniquement avec des phrases existantes (aucun code Python ajouté).
  @R21 @R36 @D1
  Scénario: Une session annulée ne repousse pas l'échéance : le dossier devient candidat au signalement
    Étant donné une session est programmée les 05/06/2026 et 06/06/2026 avec 0 autre stagiaire
    Et le conducteur s'inscrit à cette session
    Quand la session est annulée le 01/05/2026 pour « formateur indisponible »
    Et le temps passe jusqu'au 11/07/2026
    Alors l'échéance est le 10/07/2026
    Et le dossier est candidat au signalement
    Et une tâche « signalement_parquet » est ouverte
    Et le dossier porte le signalement R36

  # Le délai de relance n'est pas fixé par la loi : la préfecture le choisit dans une table de
  # décision (bpmn/decisions/delai_relance_signalement.dmn), lue par le processus.
  @R21
  Scénario: La table de la préfecture fixe le délai de relance du signalement
    Quand le temps passe jusqu'au 11/07/2026
    Alors une tâche « signalement_parquet » est ouverte
    Et la table « Délai de relance du signalement » décide « P7D »
    Et l'historique du dossier mentionne « Décision « Délai de relance du signalement » : règle 1 retenue (entrées : Attestation délivrée = non) → Délai de relance = « P7D » »
